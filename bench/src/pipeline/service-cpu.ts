import { type Kysely, sql } from 'kysely';
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

type BackendRole = 'repositoryService' | 'workers' | 'others';

/** CPU seconds of each client backend of the current database so far, by pid, with the role it serves. */
async function backendCpuSeconds(
  postgres: CpuSources['postgres'],
): Promise<Map<number, { role: BackendRole; seconds: number }>> {
  const { rows } = await sql<{ pid: number; application_name: string }>`
    select pid, application_name from pg_stat_activity
    where datname = current_database() and backend_type = 'client backend'`.execute(postgres.db);
  const role = (name: string): BackendRole => {
    if (name.startsWith(`${postgres.applicationNamePrefix}repository-service`)) return 'repositoryService';
    if (name.startsWith(`${postgres.applicationNamePrefix}workers`)) return 'workers';
    return 'others';
  };
  return new Map(rows.map((row) => [row.pid, { role: role(row.application_name), seconds: pidCpuSeconds(row.pid) }]));
}

/**
 * Starts measuring; the returned function gives the shares since then. A backend's CPU counts from
 * the first reading that saw it (0 when it connected meanwhile) to the last; one that closed in
 * between is not counted, so long-lived pools (every service's) are measured, not one-off connections.
 */
export async function measureCpu(sources: CpuSources): Promise<() => Promise<CpuShares>> {
  const sample = async () => ({
    at: performance.now(),
    repositoryService: pidCpuSeconds(sources.repositoryService()),
    workers: sources.workers().reduce<number>((sum, pid) => sum + pidCpuSeconds(pid), 0),
    emulator: pidCpuSeconds(sources.emulator()),
    bench: processCpuSeconds(),
    machine: machineBusyCpuSeconds(),
    backends: await backendCpuSeconds(sources.postgres),
  });
  const start = await sample();
  return async () => {
    const end = await sample();
    const perSecond = 100 / ((end.at - start.at) / 1000);
    const percent = (key: 'repositoryService' | 'workers' | 'emulator' | 'bench' | 'machine') =>
      (end[key] - start[key]) * perSecond;
    const postgres = { repositoryService: 0, workers: 0, others: 0 };
    for (const [pid, backend] of end.backends) {
      const before = start.backends.get(pid)?.seconds ?? 0;
      if (Number.isFinite(backend.seconds)) postgres[backend.role] += backend.seconds - before;
    }
    return {
      repositoryServicePercent: percent('repositoryService'),
      workersPercent: percent('workers'),
      emulatorPercent: percent('emulator'),
      benchPercent: percent('bench'),
      postgresRepositoryServicePercent: postgres.repositoryService * perSecond,
      postgresWorkersPercent: postgres.workers * perSecond,
      postgresOthersPercent: postgres.others * perSecond,
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
