/**
 * `npm run bench -- reval-mixed`: the reval queries' latency while the pipeline takes writes, as
 * revalidation officers and the feeds meet in the day. The whole deployment runs as an operator runs
 * it (`startCluster`: the local SNS/SQS, one repository-service, `--workers` workers instances); the
 * index store is loaded with `--doctors` doctors as `reval-queries` loads it; then, together for
 * `--warmup-seconds` (uncounted) and `--seconds`:
 * - writers `PUT` GMC doctors through the repository-service at `--writes-per-second`, open-loop, over a
 *   pool of `--write-doctors` doctors of their own (the first pass creates them, the next ones update
 *   them), and the workers project each change into the indexes;
 * - `--readers` loops ask the reval-queries mix one request after another and time each.
 * Figures: p50/p95/p99 per query kind and family, reads/s, achieved writes/s, the backlog (outbox
 * unpublished, queued in SQS) at its largest and how long it took to drain after the writes stopped.
 * `--writes-per-second 0` gives the same reads on an idle pipeline, for comparison.
 */
import { availableParallelism, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RevalIndexDatabase } from '@changeflow/reval';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { createWriteClient } from '../pipeline/http-writes.js';
import { STEADY_RATE_SOCKETS } from '../pipeline/latency.js';
import { clusterCpuSources, measureCpu } from '../pipeline/service-cpu.js';
import { loadDoctors } from '../reval-queries/load-doctors.js';
import { FAMILY_NAMES } from '../reval-queries/workload.js';
import { readBacklog } from '../soak/quiescence.js';
import { startBenchCluster } from '../support/bench-cluster.js';
import { defineBenchmark } from '../support/benchmark.js';
import { percentiles } from '../support/percentiles.js';
import { progress, showProgress } from '../support/progress.js';
import { type Figures, report } from '../support/report.js';
import { withCleanup } from '../support/with-cleanup.js';
import { readSteadily } from './readers.js';
import { writeSteadily } from './steady-writes.js';

/** Connections per reader: a request runs up to three statements at once, as in `reval-queries`. */
const CONNECTIONS_PER_READER = 4;
/** Between two looks at the backlog. */
const BACKLOG_POLL_MS = 1_000;

export const benchmark = defineBenchmark({
  description: 'reval query latency while the pipeline takes writes: p50/p95/p99 per kind, reads/s, writes/s, backlog',
  options: {
    doctors: { description: 'doctors loaded into the index store', default: 100_000, min: 1_000, max: 2_000_000 },
    writesPerSecond: {
      description: 'PUTs per second through the repository-service (0: reads alone)',
      default: 500,
      min: 0,
      max: 5_000,
    },
    writeDoctors: {
      description: 'doctors the writes cycle over (created, then updated)',
      default: 5_000,
      min: 1,
      max: 1_000_000,
    },
    readers: { description: 'concurrent reader loops, one request at a time each', default: 1, min: 1, max: 16 },
    seconds: { description: 'measured seconds of reads and writes together', default: 60, min: 1, max: 3_600 },
    warmupSeconds: {
      description: 'seconds of reads and writes before the measurement (uncounted)',
      default: 10,
      min: 0,
      max: 600,
    },
    workers: { description: 'workers instances (processes)', default: 1, min: 1, max: 8 },
    seed: { description: 'seed of the loaded data and of the request mix', default: 1, min: 1, max: 2_147_483_647 },
    drainSeconds: {
      description: 'longest wait for the backlog to drain after the writes stop',
      default: 120,
      min: 1,
      max: 3_600,
    },
    keep: {
      description: "1 keeps the schemas and the services' logs; their names are printed",
      default: 0,
      min: 0,
      max: 1,
    },
  },
  run: (options, { name, signal }) =>
    withCleanup(async (defer) => {
      const keep = options.keep === 1;
      const { cluster, baseUrl, succeeded } = await startBenchCluster(
        name,
        { kind: 'mixed', repositoryServices: 1, workers: options.workers },
        { defer, keep },
      );
      if (keep) defer(() => progress(`${name}: kept schemas ${cluster.id}, ${cluster.indexSchema}`));
      progress(`${name}: cluster ${cluster.id} up; loading ${options.doctors.toLocaleString('en-US')} doctors`);

      const readPool = new pg.Pool({
        connectionString: cluster.database.urlFor(`${cluster.applicationNamePrefix}readers`),
        max: options.readers * CONNECTIONS_PER_READER,
      });
      readPool.on('error', () => {});
      const readDb = new Kysely<RevalIndexDatabase>({ dialect: new PostgresDialect({ pool: readPool }) });
      defer(() => readDb.destroy());
      const loadStarted = performance.now();
      const sizes = await loadDoctors(readDb, cluster.indexSchema, options.doctors, options.seed);
      const loadMs = performance.now() - loadStarted;
      progress(`${name}: loaded in ${Math.round(loadMs)} ms: ${JSON.stringify(sizes)}`);

      const client = createWriteClient({ baseUrl, writeToken: cluster.writeToken, maxSockets: STEADY_RATE_SOCKETS });
      defer(() => client.close());
      const loadAverageBefore = loadavg()[0] ?? Number.NaN;
      const stopAll = new AbortController();
      const running = AbortSignal.any([signal, stopAll.signal]);
      let counting = false;
      const backlog = { unpublishedMax: 0, queuedMax: 0, samples: 0 };
      const watchBacklog = (async () => {
        while (!running.aborted) {
          const now = await readBacklog(cluster);
          const queued = Object.values(now.queued).reduce((sum, n) => sum + n, 0);
          if (counting) {
            backlog.unpublishedMax = Math.max(backlog.unpublishedMax, now.unpublishedChanges);
            backlog.queuedMax = Math.max(backlog.queuedMax, queued);
            backlog.samples += 1;
          }
          await sleep(BACKLOG_POLL_MS, undefined, { signal: running }).catch(() => {});
        }
      })();
      const writing = writeSteadily(client, {
        ratePerSecond: options.writesPerSecond,
        poolSize: options.writeDoctors,
        maxInFlight: STEADY_RATE_SOCKETS,
        signal: running,
      });
      const reading = readSteadily(readDb, cluster.indexSchema, {
        readers: options.readers,
        seed: options.seed,
        signal: running,
        isCounting: () => counting,
      });
      let cpu: Awaited<ReturnType<typeof measureCpu>> | undefined;
      let measuredFrom = 0;
      let measuredMs = 0;
      const stopProgress = showProgress(
        () =>
          `${name}: ${counting ? 'measuring' : 'warming up'}; backlog at most ${backlog.unpublishedMax} unpublished, ${backlog.queuedMax} queued`,
      );
      try {
        await sleep(options.warmupSeconds * 1000, undefined, { signal }).catch(() => {});
        counting = true;
        measuredFrom = performance.now();
        cpu = await measureCpu(clusterCpuSources(cluster));
        await sleep(options.seconds * 1000, undefined, { signal }).catch(() => {});
        counting = false;
        measuredMs = performance.now() - measuredFrom;
      } finally {
        stopProgress();
        stopAll.abort();
      }
      const cpuShares = await cpu?.();
      const [writes, reads] = await Promise.all([writing, reading, watchBacklog]);
      if (signal.aborted) throw new Error('interrupted: the figures are incomplete, so none are reported');
      if (writes.firstFailure) progress(`${name}: first failed write: ${String(writes.firstFailure)}`);

      // The backlog left when the writes stopped, and how long the pipeline took to clear it.
      const drainStarted = performance.now();
      let left = await readBacklog(cluster);
      const leftAtStop = left.unpublishedChanges + Object.values(left.queued).reduce((sum, n) => sum + n, 0);
      let drained = leftAtStop === 0;
      while (!drained && performance.now() - drainStarted < options.drainSeconds * 1000 && !signal.aborted) {
        await sleep(BACKLOG_POLL_MS / 4);
        left = await readBacklog(cluster);
        drained = left.unpublishedChanges + Object.values(left.queued).reduce((sum, n) => sum + n, 0) === 0;
      }
      const drainMs = drained ? performance.now() - drainStarted : Number.NaN;

      const overall = percentiles(reads.all);
      const recommendation = percentiles(reads.recommendation);
      const connection = percentiles(reads.connection);
      const writeLatency = percentiles(writes.writeMs);
      const families: Record<string, number> = {};
      for (const family of FAMILY_NAMES) {
        const spread = percentiles(reads.byFamily.get(family) ?? []);
        families[`${family}Count`] = spread.count;
        families[`${family}P50Ms`] = spread.p50;
        families[`${family}P95Ms`] = spread.p95;
        families[`${family}P99Ms`] = spread.p99;
      }
      const seconds = measuredMs / 1000;
      const figures: Figures = {
        cpus: availableParallelism(),
        loadAverage1mBefore: loadAverageBefore,
        loadAverage1mAfter: loadavg()[0] ?? Number.NaN,
        doctors: options.doctors,
        recommendationIndexRows: sizes.recommendation,
        loadMs,
        readers: options.readers,
        workers: options.workers,
        measuredSeconds: seconds,
        reads: overall.count,
        readsPerSecond: overall.count / seconds,
        p50Ms: overall.p50,
        p95Ms: overall.p95,
        p99Ms: overall.p99,
        maxMs: overall.max,
        recommendationP50Ms: recommendation.p50,
        recommendationP95Ms: recommendation.p95,
        recommendationP99Ms: recommendation.p99,
        connectionP50Ms: connection.p50,
        connectionP95Ms: connection.p95,
        connectionP99Ms: connection.p99,
        writesPerSecondAsked: options.writesPerSecond,
        // Over the whole run (warm-up included): the writers do not pause between the two.
        writesPerSecondAchieved: writes.answered / (options.warmupSeconds + seconds),
        writesAnswered: writes.answered,
        writesFailed: writes.failed,
        writesSkipped: writes.skipped,
        writeP50Ms: writeLatency.p50,
        writeP99Ms: writeLatency.p99,
        backlogUnpublishedMax: backlog.unpublishedMax,
        backlogQueuedMax: backlog.queuedMax,
        backlogAtStop: leftAtStop,
        drainMs,
        repositoryServiceCpuPercent: cpuShares?.repositoryServicePercent ?? Number.NaN,
        workersCpuPercent: cpuShares?.workersPercent ?? Number.NaN,
        emulatorCpuPercent: cpuShares?.emulatorPercent ?? Number.NaN,
        benchCpuPercent: cpuShares?.benchPercent ?? Number.NaN,
        postgresRepositoryServiceCpuPercent: cpuShares?.postgresRepositoryServicePercent ?? Number.NaN,
        postgresWorkersCpuPercent: cpuShares?.postgresWorkersPercent ?? Number.NaN,
        postgresOthersCpuPercent: cpuShares?.postgresOthersPercent ?? Number.NaN,
        machineCpuPercent: cpuShares?.machinePercent ?? Number.NaN,
        ...families,
        targetP95Ms: 25,
      };
      report(name, figures);
      succeeded();
    }),
});
