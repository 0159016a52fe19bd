import { machineBusyCpuSeconds, pidCpuSeconds, processCpuSeconds } from '../support/cpu-usage.js';

/**
 * CPU of the cluster's parts during a measurement, to tell which one is the bottleneck: the
 * repository-service, the workers, this process (the clients and the observers) and the whole
 * machine (Postgres, the emulator and anything else running here are the rest).
 */

/** CPU during one measurement, in % of one core. */
export interface CpuShares {
  readonly repositoryServicePercent: number;
  /** Every workers instance together. */
  readonly workersPercent: number;
  readonly benchPercent: number;
  readonly machinePercent: number;
}

/** Starts measuring; the returned function gives the shares since then. */
export function measureCpu(pids: {
  repositoryService: () => number | undefined;
  workers: () => Array<number | undefined>;
}): () => CpuShares {
  const sample = () => ({
    at: performance.now(),
    repositoryService: pidCpuSeconds(pids.repositoryService()),
    workers: pids.workers().reduce<number>((sum, pid) => sum + pidCpuSeconds(pid), 0),
    bench: processCpuSeconds(),
    machine: machineBusyCpuSeconds(),
  });
  const start = sample();
  return () => {
    const end = sample();
    const percent = (key: 'repositoryService' | 'workers' | 'bench' | 'machine') =>
      ((end[key] - start[key]) / ((end.at - start.at) / 1000)) * 100;
    return {
      repositoryServicePercent: percent('repositoryService'),
      workersPercent: percent('workers'),
      benchPercent: percent('bench'),
      machinePercent: percent('machine'),
    };
  };
}
