import { readFileSync } from 'node:fs';
import { machineBusyCpuSeconds, processCpuSeconds } from '../sync/cpu-usage.js';

/**
 * CPU of the cluster's parts during a measurement, to tell which one is the bottleneck: the
 * repository-service, the workers, this process (the clients and the observers) and the whole
 * machine (Postgres, the emulator and anything else running here are the rest).
 */

/** Linux's USER_HZ, the unit of /proc/<pid>/stat CPU times. */
const CLOCK_TICKS_PER_SECOND = 100;

/** User plus system CPU seconds process `pid` has used so far; NaN when unknown (gone, not Linux). */
export function pidCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command (field 2) may hold spaces; it ends at the last ')'. utime and stime are fields 14, 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

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
