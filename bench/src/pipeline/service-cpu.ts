import type { Kysely } from 'kysely';
import { backendCpuSecondsBetween, readBackendCpu } from '../support/backend-cpu.js';
import type { Cluster } from '../support/cluster.js';
import { machineBusyCpuSeconds, pidCpuSeconds, processCpuSeconds } from '../support/cpu-usage.js';

/**
 * CPU of the cluster's parts during a measurement, to tell which one is the bottleneck: the
 * repository-service, the workers, the local SNS/SQS, this process (the clients and the observers),
 * the Postgres backends serving each of them (by `application_name`) and the whole machine.
 */

/** CPU during one measurement, in % of one core. */
export interface CpuShares {
  readonly repositoryServicePercent: number;
  /** Every workers instance together. */
  readonly workersPercent: number;
  readonly emulatorPercent: number;
  readonly benchPercent: number;
  /** The Postgres backends of the repository-service's connections. */
  readonly postgresRepositoryServicePercent: number;
  /** The Postgres backends of every workers instance's connections. */
  readonly postgresWorkersPercent: number;
  /** Every other Postgres backend of this database's clients: this process's observers and readers. */
  readonly postgresOthersPercent: number;
  readonly machinePercent: number;
}

export interface CpuSources {
  readonly repositoryService: () => number | undefined;
  readonly workers: () => Array<number | undefined>;
  readonly emulator: () => number | undefined;
  /** Finds the backends; the services' application names start with `applicationNamePrefix` and their role. */
  readonly postgres: { readonly db: Kysely<unknown>; readonly applicationNamePrefix: string };
}

/** Starts measuring; the returned function gives the shares since then. */
export async function measureCpu(sources: CpuSources): Promise<() => Promise<CpuShares>> {
  const sample = async () => ({
    at: performance.now(),
    repositoryService: pidCpuSeconds(sources.repositoryService()),
    workers: sources.workers().reduce<number>((sum, pid) => sum + pidCpuSeconds(pid), 0),
    emulator: pidCpuSeconds(sources.emulator()),
    bench: processCpuSeconds(),
    machine: machineBusyCpuSeconds(),
    backends: await readBackendCpu(sources.postgres.db),
  });
  const start = await sample();
  return async () => {
    const end = await sample();
    const perSecond = 100 / ((end.at - start.at) / 1000);
    const percent = (key: 'repositoryService' | 'workers' | 'emulator' | 'bench' | 'machine') =>
      (end[key] - start[key]) * perSecond;
    const { applicationNamePrefix: prefix } = sources.postgres;
    const servesRepositoryService = (name: string) => name.startsWith(`${prefix}repository-service`);
    const servesWorkers = (name: string) => name.startsWith(`${prefix}workers`);
    const postgresPercent = (serves: (name: string) => boolean) =>
      backendCpuSecondsBetween(start.backends, end.backends, serves) * perSecond;
    return {
      repositoryServicePercent: percent('repositoryService'),
      workersPercent: percent('workers'),
      emulatorPercent: percent('emulator'),
      benchPercent: percent('bench'),
      postgresRepositoryServicePercent: postgresPercent(servesRepositoryService),
      postgresWorkersPercent: postgresPercent(servesWorkers),
      postgresOthersPercent: postgresPercent((name) => !servesRepositoryService(name) && !servesWorkers(name)),
      machinePercent: percent('machine'),
    };
  };
}

/** The CPU sources of a benchmark's cluster: its first repository-service, every workers instance. */
export function clusterCpuSources(cluster: Cluster): CpuSources {
  return {
    repositoryService: () => cluster.repositoryServices[0]?.pid,
    workers: () => cluster.workers.map((service) => service.pid),
    emulator: () => cluster.emulator.pid,
    postgres: {
      db: cluster.database.db as unknown as Kysely<unknown>,
      applicationNamePrefix: cluster.applicationNamePrefix,
    },
  };
}
