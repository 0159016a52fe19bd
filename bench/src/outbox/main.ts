/**
 * `npm run bench -- outbox`: what the outbox costs and how fast it publishes (issue 3).
 * 1. Write overhead: transactions/s of a representative write (an upsert of one row) with and
 *    without recording its change in the same transaction, as a ratio.
 * 2. Publish throughput: changes/s from committed, unpublished rows to SNS acknowledgement (and
 *    `published_at` stamped), through the sweeper's path (`findUnpublished` → publisher).
 * 3. Latency from commit to SNS acknowledgement at steady rates (default 100, 250, 500 and 1,000
 *    changes/s, one transaction each, open loop): p50/p95/p99/max and stall episodes per rate.
 * The local SNS/SQS runs in its own child process, as the harness provides.
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { awsOptionsFromEnv, createAwsClients } from '@changeflow/aws';
import { createOutbox, type OutboxDatabase, recordChanges, unpublishedStats } from '@changeflow/outbox';
import { createSemaphore } from '@changeflow/semaphore';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { openConsumerBenchDatabase } from '../consumer/bench-database.js';
import { openBenchAwsEndpoint } from '../support/aws-endpoint.js';
import { defineBenchmark } from '../support/benchmark.js';
import { progress } from '../support/progress.js';
import { type Figures, report } from '../support/report.js';
import { withCleanup } from '../support/with-cleanup.js';
import { measureSteadyRate, steadyRateFigures } from './steady-latency.js';

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
    rates: {
      description: 'steady rates of the latency runs, changes per second, one run each',
      default: [100, 250, 500, 1_000],
      min: 10,
      max: 20_000,
    },
    seconds: { description: 'length of each latency run, in seconds', default: 10, min: 1, max: 600 },
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

      // 3. Latency at steady rates: commit, then time until SNS accepted the change.
      const steady: Figures = {};
      for (const ratePerSecond of options.rates) {
        const figures = await measureSteadyRate(
          {
            commit: (index) =>
              db.transaction().execute((trx) =>
                recordChanges(trx as unknown as Kysely<OutboxDatabase>, {
                  objectType: 'trainee',
                  objectId: `steady-${ratePerSecond}-${index}`,
                  objectVersion: 1,
                  changeType: 'UPDATE',
                }),
              ),
            publish: (rows) => outbox.afterCommit(rows),
          },
          { ratePerSecond, seconds: options.seconds, signal },
        );
        Object.assign(steady, steadyRateFigures(figures));
        await outbox.flush();
      }

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
        ...steady,
      });
    }),
});
