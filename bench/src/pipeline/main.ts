/**
 * `npm run bench -- pipeline`: the whole write path on this machine, each part in its own process
 * as an operator runs it: writes through the repository-service over HTTP -> Postgres (write and
 * change in one transaction) -> fast-path publish to the local SNS -> SQS -> the workers' reval-index
 * worker -> the index. Figures:
 * 1. Sustained changes/s from write to index, through NDJSON imports (many changes per transaction)
 *    and through single PUTs (one each), from `--clients` concurrent clients (`throughput.ts`).
 * 2. Commit -> index latency at two steady rates, open-loop, bracketed between a lower and an upper
 *    bound (`latency.ts`).
 * 3. A baseline of the same writes straight to Postgres with Changeflow off and on, so the outbox's
 *    cost is a ratio (`baseline.ts`).
 * `--background-load N` starts N busy processes (one core each) for the HTTP measurements, to see
 * how the pipeline degrades when it shares the machine.
 * During each HTTP measurement the CPU of the repository-service, the workers, the emulator, this
 * process, the Postgres backends serving each and the whole machine is read from /proc, so the
 * figures say which part was the bottleneck.
 * Nothing fails on a slow machine: the targets are printed beside the figures.
 */
import { availableParallelism, loadavg } from 'node:os';
import type { Kysely } from 'kysely';
import { startBenchCluster } from '../support/bench-cluster.js';
import { defineBenchmark } from '../support/benchmark.js';
import { progress } from '../support/progress.js';
import { report } from '../support/report.js';
import { withCleanup } from '../support/with-cleanup.js';
import { startBackgroundLoad } from './background-load.js';
import { measureBaseline } from './baseline.js';
import { pipelineFigures, targetLines } from './figures.js';
import { createWriteClient } from './http-writes.js';
import { measureSteadyRate, STEADY_RATE_SOCKETS } from './latency.js';
import { clusterCpuSources, measureCpu } from './service-cpu.js';
import { measureImports, measureSingleWrites, type ThroughputTarget } from './throughput.js';

/** Records of each warm-up (single writes, then imports) before anything is timed. */
const WARM_UP_RECORDS = 500;

/** After an interrupt the measurements return early with partial figures: report none of them. */
function stopIfInterrupted(signal: AbortSignal): void {
  if (signal.aborted) throw new Error('interrupted: the figures are incomplete, so none are reported');
}

export const benchmark = defineBenchmark({
  description:
    'repository-service -> index end to end: changes/s, commit-to-index latency at steady rates, outbox cost',
  options: {
    clients: { description: 'concurrent HTTP clients (and baseline writers)', default: 8, min: 1, max: 64 },
    records: {
      description: 'records per throughput run (imports, single writes) and per baseline side',
      default: 20_000,
      min: 100,
      max: 1_000_000,
    },
    importLines: { description: 'NDJSON lines per import request', default: 1_000, min: 1, max: 100_000 },
    batchSize: {
      description: "the service's BULK_BATCH_SIZE: import lines per transaction",
      default: 500,
      min: 1,
      max: 5_000,
    },
    lowRate: { description: 'the first steady rate, writes per second', default: 500, min: 10, max: 5_000 },
    highRate: { description: 'the second steady rate, writes per second', default: 2_000, min: 10, max: 5_000 },
    rateSeconds: { description: 'length of each steady-rate run, in seconds', default: 20, min: 1, max: 600 },
    workers: { description: 'workers instances (processes)', default: 1, min: 1, max: 8 },
    maxSeconds: {
      description: "longest wait for a run's records to reach the index, in seconds",
      default: 120,
      min: 5,
      max: 3_600,
    },
    backgroundLoad: {
      description: 'busy processes (one core each) the run starts after the baseline and stops at its end',
      default: 0,
      min: 0,
      max: 16,
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
      const loadAverage1m = loadavg()[0] ?? Number.NaN;
      const { cluster, baseUrl, succeeded } = await startBenchCluster(
        'pipeline',
        {
          kind: 'pipeline',
          repositoryServices: 1,
          workers: options.workers,
          repositoryServiceEnv: { BULK_BATCH_SIZE: String(options.batchSize) },
        },
        { defer, keep },
      );
      if (keep)
        defer(() => progress(`pipeline: kept schemas ${cluster.id}, ${cluster.indexSchema}, ${cluster.id}_baseline`));
      progress(
        `pipeline: cluster ${cluster.id} up: repository-service ${baseUrl}, ${options.workers} workers, Postgres ${cluster.database.where}`,
      );
      const client = createWriteClient({ baseUrl, writeToken: cluster.writeToken, maxSockets: options.clients });
      defer(() => client.close());
      const db = cluster.database.db as unknown as Kysely<unknown>;
      const target: ThroughputTarget = {
        client,
        db,
        indexSchema: cluster.indexSchema,
        clients: options.clients,
        maxSeconds: options.maxSeconds,
        signal,
      };

      // The baseline first, while the cluster is idle: its workers only long-poll.
      const [baselineBulk, baselineSingle] = await measureBaseline(
        {
          schema: `${cluster.id}_baseline`,
          sns: cluster.directAws.sns,
          topicPrefix: `${cluster.prefix}-baseline`,
          writers: options.clients,
          keep,
          signal,
        },
        [
          {
            recordsPerTransaction: options.batchSize,
            records: options.records,
            plainBlock: 'plainBatches',
            outboxBlock: 'outboxBatches',
          },
          {
            recordsPerTransaction: 1,
            records: options.records,
            plainBlock: 'plainSingles',
            outboxBlock: 'outboxSingles',
          },
        ],
      );
      stopIfInterrupted(signal);
      if (!baselineBulk || !baselineSingle) throw new Error('the baseline returned no figures');

      // After the baseline, so its plain/outbox ratios stay comparable; before the warm-up, so every
      // HTTP measurement shares the machine with it.
      const backgroundLoad = await startBackgroundLoad(options.backgroundLoad);
      defer(() => backgroundLoad.stop());
      if (options.backgroundLoad > 0) progress(`pipeline: ${options.backgroundLoad} busy processes started`);

      // Warm-up (uncounted): the service's and workers' connections, plans and JIT, the SQS long polls.
      await measureSingleWrites(target, { block: 'warmUpSingles', records: WARM_UP_RECORDS, label: 'warm-up' });
      await measureImports(target, {
        block: 'warmUpImports',
        records: WARM_UP_RECORDS,
        linesPerRequest: Math.min(options.importLines, 100),
        label: 'warm-up',
      });

      const cpuSources = clusterCpuSources(cluster);
      const during = async <T>(measurement: () => Promise<T>) => {
        const cpu = await measureCpu(cpuSources);
        const result = await measurement();
        stopIfInterrupted(signal);
        return { result, cpu: await cpu() };
      };

      const bulk = await during(() =>
        measureImports(target, {
          block: 'bulk',
          records: options.records,
          linesPerRequest: options.importLines,
          label: 'imports',
        }),
      );
      progress(`pipeline: imports: ${bulk.result.endToEndChangesPerSecond.toFixed(0)} changes/s end to end`);
      const single = await during(() =>
        measureSingleWrites(target, { block: 'single', records: options.records, label: 'PUTs' }),
      );
      progress(`pipeline: PUTs: ${single.result.endToEndChangesPerSecond.toFixed(0)} changes/s end to end`);

      const steadyClient = createWriteClient({
        baseUrl,
        writeToken: cluster.writeToken,
        maxSockets: STEADY_RATE_SOCKETS,
      });
      defer(() => steadyClient.close());
      const steadyTarget = {
        client: steadyClient,
        db,
        indexSchema: cluster.indexSchema,
        drainSeconds: options.maxSeconds,
        signal,
      };
      const low = await during(() =>
        measureSteadyRate(steadyTarget, {
          block: 'lowRate',
          ratePerSecond: options.lowRate,
          seconds: options.rateSeconds,
          label: `${options.lowRate}/s`,
        }),
      );
      const high = await during(() =>
        measureSteadyRate(steadyTarget, {
          block: 'highRate',
          ratePerSecond: options.highRate,
          seconds: options.rateSeconds,
          label: `${options.highRate}/s`,
        }),
      );

      const results = {
        throughput: { bulk: bulk.result, single: single.result },
        steady: { low: low.result, high: high.result },
        baseline: { bulk: baselineBulk, single: baselineSingle },
        cpu: { bulk: bulk.cpu, single: single.cpu, lowRate: low.cpu, highRate: high.cpu },
      };
      await backgroundLoad.stop();
      for (const line of targetLines(results, options.backgroundLoad)) process.stdout.write(`${line}\n`);
      report(
        name,
        pipelineFigures(
          {
            cpus: availableParallelism(),
            loadAverage1m,
            loadAverage1mAfter: loadavg()[0] ?? Number.NaN,
            repositoryServices: 1,
            workers: options.workers,
            clients: options.clients,
            backgroundLoadProcesses: options.backgroundLoad,
            importLinesPerRequest: options.importLines,
            importLinesPerTransaction: options.batchSize,
          },
          results,
        ),
      );
      succeeded();
    }),
});
