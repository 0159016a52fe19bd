/**
 * `npm run bench -- outbox`: what the outbox costs and how fast it publishes (issue 3).
 * 1. Write overhead: transactions/s of a representative write (an upsert of one row) with and
 *    without recording its change in the same transaction, as a ratio.
 * 2. Publish throughput: changes/s from committed, unpublished rows to SNS acknowledgement (and
 *    `published_at` stamped), through the sweeper's path (`findUnpublished` → publisher).
 * 3. Latency from commit to SNS acknowledgement at a steady rate (default 1,000 changes/s), p50/p99.
 * The local SNS/SQS runs in its own child process, as the harness provides.
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { awsOptionsFromEnv, createAwsClients } from '@changeflow/aws';
import { createOutbox, type OutboxDatabase, recordChanges, unpublishedStats } from '@changeflow/outbox';
import { createSemaphore } from '@changeflow/semaphore';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { openConsumerBenchDatabase } from '../consumer/bench-database.js';
import { openBenchAwsEndpoint } from '../support/aws-endpoint.js';
import { defineBenchmark } from '../support/benchmark.js';
import { percentiles } from '../support/percentiles.js';
import { progress } from '../support/progress.js';
import { report } from '../support/report.js';
import { withCleanup } from '../support/with-cleanup.js';

interface BenchTables extends OutboxDatabase {
  bench_trainee: { id: number; first_name: string; last_name: string; version: number };
}

export const benchmark = defineBenchmark({
  description: 'outbox: write overhead of recording a change, publish throughput, commit-to-SNS latency',
  options: {
    transactions: {
      description: 'transactions per write-overhead run (with and without)',
      default: 5_000,
      min: 100,
      max: 1_000_000,
    },
    writers: {
      description: 'concurrent writers (connections) in the write-overhead runs',
      default: 8,
      min: 1,
      max: 64,
    },
    backlog: {
      description: 'committed changes published in the throughput run',
      default: 50_000,
      min: 1_000,
      max: 2_000_000,
    },
    rate: { description: 'changes per second in the latency run', default: 1_000, min: 10, max: 20_000 },
    seconds: { description: 'length of the latency run, in seconds', default: 10, min: 1, max: 600 },
  },
  run: (options, { signal }) =>
    withCleanup(async (defer) => {
      const local = await openBenchAwsEndpoint();
      defer(() => local.stop());
      const aws = createAwsClients({ ...awsOptionsFromEnv(), endpoint: local.endpoint, maxSockets: 128 });
      defer(() => aws.destroy());
      const database = await openConsumerBenchDatabase();
      defer(() => database.close());
      // A pool of the benchmark's own, large enough for every writer and the publisher's marks.
      const db = new Kysely<BenchTables>({
        dialect: new PostgresDialect({
          pool: new pg.Pool({ connectionString: database.url, max: options.writers + 8 }),
        }),
      });
      defer(() => db.destroy());
      await sql`create table bench_trainee (id integer primary key, first_name text not null, last_name text not null, version integer not null)`.execute(
        db,
      );
      const topicPrefix = `cf-bench-${randomBytes(4).toString('hex')}`;
      const outbox = createOutbox({ db, sns: aws.sns }, { topicPrefix });
      await outbox.publisher.topicArn('trainee');
      const load = loadavg()[0] ?? Number.NaN;

      // 1. Write overhead.
      const write = async (trx: Kysely<BenchTables>, id: number) => {
        const row = await trx
          .insertInto('bench_trainee')
          .values({ id, first_name: `First${id}`, last_name: `Last${id}`, version: 1 })
          .onConflict((oc) =>
            oc
              .column('id')
              .doUpdateSet({ version: sql`bench_trainee.version + 1`, last_name: sql`excluded.last_name` }),
          )
          .returning('version')
          .executeTakeFirstOrThrow();
        return row.version;
      };
      const runWrites = async (label: string, body: (id: number) => Promise<unknown>) => {
        let next = 0;
        const started = performance.now();
        await Promise.all(
          Array.from({ length: options.writers }, async () => {
            for (let id = next++; id < options.transactions && !signal.aborted; id = next++) await body(id % 10_000);
          }),
        );
        const seconds = (performance.now() - started) / 1000;
        progress(`outbox: ${label}: ${(options.transactions / seconds).toFixed(0)} transactions/s`);
        return options.transactions / seconds;
      };
      await runWrites('warm-up', (id) => db.transaction().execute((trx) => write(trx, id)));
      const plain = await runWrites('without recording', (id) => db.transaction().execute((trx) => write(trx, id)));
      const recorded = await runWrites('recording a change', (id) =>
        db.transaction().execute(async (trx) => {
          const version = await write(trx, id);
          await recordChanges(trx as unknown as Kysely<OutboxDatabase>, {
            objectType: 'trainee',
            objectId: String(id),
            objectVersion: version,
            changeType: 'UPDATE',
          });
        }),
      );
      const fastPath = await runWrites('recording and publishing after commit', (id) =>
        outbox.transaction(async (trx, changes) => {
          const version = await write(trx, id);
          await changes.record({
            objectType: 'trainee',
            objectId: String(id),
            objectVersion: version,
            changeType: 'UPDATE',
          });
        }),
      );
      await outbox.flush();
      await sql`update changes set published_at = now() where published_at is null`.execute(db);

      // 2. Publish throughput: a committed backlog, published the way the sweeper does.
      for (let start = 0; start < options.backlog; start += 5_000) {
        const count = Math.min(5_000, options.backlog - start);
        await recordChanges(
          db,
          Array.from({ length: count }, (_, i) => ({
            objectType: 'trainee',
            objectId: String(start + i),
            objectVersion: 1,
            changeType: 'UPDATE' as const,
          })),
        );
      }
      const sweeper = outbox.createSweeper(createSemaphore(db), {
        graceMs: 0,
        batchSize: 10_000,
        maxBatchesPerRun: 1_000,
      });
      const publishStarted = performance.now();
      await sweeper.runOnce();
      const publishSeconds = (performance.now() - publishStarted) / 1000;
      const left = await unpublishedStats(db);
      progress(`outbox: published ${options.backlog - left.count} changes in ${publishSeconds.toFixed(2)} s`);

      // 3. Latency at a steady rate: commit, then time until SNS accepted (and the row was stamped).
      const latencies: number[] = [];
      const pending: Promise<void>[] = [];
      const tickMs = 10;
      const perTick = Math.max(1, Math.round((options.rate * tickMs) / 1000));
      const ticks = Math.round((options.seconds * 1000) / tickMs);
      let failed = 0;
      const steadyStarted = performance.now();
      for (let tick = 0; tick < ticks && !signal.aborted; tick += 1) {
        for (let i = 0; i < perTick; i += 1) {
          pending.push(
            (async () => {
              const rows = await db.transaction().execute((trx) =>
                recordChanges(trx as unknown as Kysely<OutboxDatabase>, {
                  objectType: 'trainee',
                  objectId: `steady-${tick}-${i}`,
                  objectVersion: 1,
                  changeType: 'UPDATE',
                }),
              );
              const committed = performance.now();
              const result = await outbox.afterCommit(rows);
              if (result.failed.length > 0) failed += result.failed.length;
              else latencies.push(performance.now() - committed);
            })(),
          );
        }
        const due = steadyStarted + (tick + 1) * tickMs;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
      }
      await Promise.all(pending);
      const achievedRate = latencies.length / ((performance.now() - steadyStarted) / 1000);
      const latency = percentiles(latencies);

      report('outbox', {
        cpus: availableParallelism(),
        loadAverage1m: load,
        writers: options.writers,
        writeTxPerSecondPlain: plain,
        writeTxPerSecondRecorded: recorded,
        writeOverheadRatio: recorded / plain,
        writeTxPerSecondWithFastPath: fastPath,
        writeOverheadRatioWithFastPath: fastPath / plain,
        publishChanges: options.backlog - left.count,
        publishChangesPerSecond: (options.backlog - left.count) / publishSeconds,
        latencyRatePerSecond: options.rate,
        latencyAchievedPerSecond: achievedRate,
        latencySamples: latencies.length,
        latencyFailed: failed,
        latencyP50Ms: latency.p50,
        latencyP99Ms: latency.p99,
        latencyMaxMs: latency.max,
      });
    }),
});
