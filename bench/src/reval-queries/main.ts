/**
 * `npm run bench -- reval-queries`: the latency of the reval queries (REVAL.md "Queries") on a
 * realistic index store. Loads `--doctors` doctors (default 100,000) set-based into a fresh index
 * schema of the bench database (`BENCH_DATABASE_URL`, else `changeflow_bench` on the local server,
 * created if missing), then times `--queries` requests (after `--warmup` uncounted ones) drawn from a
 * seeded mix of recommendation and connection lists, and reports p50/p95/p99 per family, per kind and
 * overall. Last, it times the page and total of `--count-comparison` requests with a separate
 * `count(*)` and with `count(*) over ()`. The schemas are dropped at the end, even on failure.
 */
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { migrateRevalIndex } from '@changeflow/reval';
import { defineBenchmark } from '../support/benchmark.js';
import { percentiles } from '../support/percentiles.js';
import { progress, showProgress } from '../support/progress.js';
import type { Figures } from '../support/report.js';
import { report } from '../support/report.js';
import { withCleanup } from '../support/with-cleanup.js';
import { openBenchDatabase } from './bench-database.js';
import { loadDoctors } from './load-doctors.js';
import { compareCountStrategies, measureWorkload } from './measure.js';
import { buildWorkload, FAMILY_NAMES, Picker } from './workload.js';

export const benchmark = defineBenchmark({
  description: 'reval query latency on 100k doctors: p50/p95/p99 of recommendation and connection lists',
  options: {
    doctors: {
      description: 'doctors loaded into the recommendation index',
      default: 100_000,
      min: 1_000,
      max: 2_000_000,
    },
    queries: { description: 'timed requests', default: 2_000, min: 10, max: 200_000 },
    warmup: { description: 'untimed requests first (caches, plans)', default: 200, min: 0, max: 100_000 },
    countComparison: {
      description: 'requests timed with a separate count and with a window count (0: skip)',
      default: 300,
      min: 0,
      max: 100_000,
    },
    seed: { description: 'seed of the loaded data and of the request mix', default: 1, min: 1, max: 2_147_483_647 },
    keepSchema: {
      description: '1: keep the loaded schema for EXPLAIN (say so in the output); 0: drop it',
      default: 0,
      min: 0,
      max: 1,
    },
  },
  run: (options, { name, signal }) =>
    withCleanup(async (defer) => {
      const bench = await openBenchDatabase();
      defer(() => bench.close());
      if (options.keepSchema === 1)
        defer(() => progress(`${name}: kept schema ${bench.indexSchema} in ${bench.where}`));
      else defer(() => bench.dropSchemas());
      progress(`${name}: index schema ${bench.indexSchema} in ${bench.where}`);

      await migrateRevalIndex(bench.db, bench.indexSchema);
      const loadStarted = performance.now();
      progress(`${name}: loading ${options.doctors.toLocaleString('en-US')} doctors and the connection indexes`);
      const sizes = await loadDoctors(bench.db, bench.indexSchema, options.doctors, options.seed);
      const loadMs = performance.now() - loadStarted;
      progress(`${name}: loaded in ${Math.round(loadMs)} ms: ${JSON.stringify(sizes)}`);

      const loadAverageBefore = loadavg()[0] ?? Number.NaN;
      const pick = new Picker(options.seed);
      const warmup = buildWorkload(options.warmup, pick);
      const timed = buildWorkload(options.queries, pick);
      let done = 0;
      const stopProgress = showProgress(() => `${name}: ${done} of ${warmup.length + timed.length} requests`);
      let samples: Awaited<ReturnType<typeof measureWorkload>>;
      try {
        await measureWorkload(bench.db, bench.indexSchema, warmup, signal, (n) => {
          done = n;
        });
        samples = await measureWorkload(bench.db, bench.indexSchema, timed, signal, (n) => {
          done = warmup.length + n;
        });
      } finally {
        stopProgress();
      }
      const comparison = await compareCountStrategies(
        bench.db,
        bench.indexSchema,
        timed.slice(0, options.countComparison),
        signal,
      );
      if (signal.aborted) throw new Error('interrupted: the figures are incomplete, so none are reported');
      for (const { ms, spec } of samples.slowest) progress(`${name}: slow ${ms.toFixed(1)} ms ${JSON.stringify(spec)}`);

      const overall = percentiles(samples.all);
      const recommendation = percentiles(samples.recommendation);
      const connection = percentiles(samples.connection);
      const separate = percentiles(comparison.separate);
      const window = percentiles(comparison.window);
      const families: Record<string, number> = {};
      for (const family of FAMILY_NAMES) {
        const spread = percentiles(samples.byFamily.get(family) ?? []);
        families[`${family}Count`] = spread.count;
        families[`${family}P50Ms`] = spread.p50;
        families[`${family}P95Ms`] = spread.p95;
        families[`${family}P99Ms`] = spread.p99;
      }
      const figures: Figures = {
        cpus: availableParallelism(),
        // Other work on the machine inflates every latency here: the 1-minute load average says how much.
        loadAverage1mBefore: loadAverageBefore,
        loadAverage1mAfter: loadavg()[0] ?? Number.NaN,
        doctors: options.doctors,
        recommendationIndexRows: sizes.recommendation,
        connectedRows: sizes.connected,
        disconnectedRows: sizes.disconnected,
        exceptionRows: sizes.exception,
        discrepanciesRows: sizes.discrepancies,
        loadMs,
        queries: overall.count,
        warmup: warmup.length,
        p50Ms: overall.p50,
        p95Ms: overall.p95,
        p99Ms: overall.p99,
        maxMs: overall.max,
        meanMs: overall.mean,
        recommendationP50Ms: recommendation.p50,
        recommendationP95Ms: recommendation.p95,
        recommendationP99Ms: recommendation.p99,
        connectionP50Ms: connection.p50,
        connectionP95Ms: connection.p95,
        connectionP99Ms: connection.p99,
        ...families,
        countComparisonQueries: separate.count,
        separateCountP50Ms: separate.p50,
        separateCountP95Ms: separate.p95,
        windowCountP50Ms: window.p50,
        windowCountP95Ms: window.p95,
      };
      report(name, figures);
    }),
});
