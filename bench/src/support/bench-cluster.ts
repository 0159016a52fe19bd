import { rmSync } from 'node:fs';
import { type Cluster, type ClusterOptions, startCluster } from './cluster.js';
import { progress } from './progress.js';
import type { Defer } from './with-cleanup.js';

/** Where a benchmark's services write their logs (git-ignored). */
const BENCH_LOG_DIR = '.bench-logs';

/** A benchmark's running cluster, with the URL of its first repository-service. */
export interface BenchCluster {
  readonly cluster: Cluster;
  readonly baseUrl: string;
  /** Call when the run succeeded: its logs are then removed at the end, unless kept. */
  succeeded(): void;
}

/**
 * Starts a cluster for benchmark `name` and defers its end: the cluster stops (its schemas dropped
 * unless `keep`), and the services' logs are removed after a successful run unless `keep`, or their
 * folder is named otherwise, so a failed run can be looked into.
 */
export async function startBenchCluster(
  name: string,
  options: Omit<ClusterOptions, 'logDir' | 'onUnexpectedExit'>,
  { defer, keep }: { defer: Defer; keep: boolean },
): Promise<BenchCluster> {
  const cluster = await startCluster({
    ...options,
    logDir: BENCH_LOG_DIR,
    onUnexpectedExit: (service, code, exitSignal) =>
      progress(`${name}: ${service} exited (${exitSignal ?? `code ${code}`}); its log is under ${BENCH_LOG_DIR}`),
  });
  let isSucceeded = false;
  defer(() => {
    if (isSucceeded && !keep) rmSync(cluster.logFolder, { recursive: true, force: true });
    else progress(`${name}: the services' logs are in ${cluster.logFolder}`);
  });
  defer(() => cluster.stop({ keep }));
  const baseUrl = cluster.repositoryUrls[0];
  if (baseUrl === undefined) throw new Error('the cluster started no repository-service');
  return {
    cluster,
    baseUrl,
    succeeded: () => {
      isSucceeded = true;
    },
  };
}
