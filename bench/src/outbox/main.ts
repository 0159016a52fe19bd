/**
 * `npm run bench -- outbox`: what the outbox costs and how fast it publishes (issue 3).
 * 1. Write overhead: transactions/s of a representative write (an INSERT of one ~190-byte jsonb row)
 *    without recording and in each recording form (recordChanges in a transaction, recordWrite's one
 *    statement; with and without the fast path), as ratios to the same write unrecorded.
 * 2. Publish throughput: changes/s from committed, unpublished rows to SNS acknowledgement (and
 *    `published_at` stamped), through the sweeper's path (`findUnpublished` → publisher).
 * 3. Latency from commit to SNS acknowledgement at steady rates (default 100, 250, 500 and 1,000
 *    changes/s, one transaction each, open loop): p50/p95/p99/max and stall episodes per rate.
 * The local SNS/SQS runs in its own child process, as the harness provides.
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { awsOptionsFromEnv, createAwsClients } from '@changeflow/aws';
import {
  createOutbox,
  migrateOutbox,
  type OutboxDatabase,
  recordChanges,
  recordWrite,
  unpublishedStats,
} from '@changeflow/outbox';
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
import {
  countStatements,
  createWriteTable,
  insertWrite,
  measureWriteForms,
  type WriteForm,
  type WriteTables,
} from './write-overhead.js';

interface BenchTables extends OutboxDatabase, WriteTables {}

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
    rounds: {
      description: 'rounds of the write-overhead runs (every form once per round; the median is reported)',
      default: 3,
      min: 1,
      max: 20,
    },
  },
  run: (options, { signal }) =>
    withCleanup(async (defer) => {
      const local = await openBenchAwsEndpoint();
      defer(() => local.stop());
      const aws = createAwsClients({ ...awsOptionsFromEnv(), endpoint: local.endpoint, maxSockets: 128 });
      defer(() => aws.destroy());
      const database = await openConsumerBenchDatabase();
      defer(() => database.close());
      // The consumer's tables come with the bench database; the outbox's `changes` are migrated here.
      await migrateOutbox(database.db);
      // A pool of the benchmark's own, large enough for every writer and the publisher's marks, whose
      // statements are counted: one query is one round trip with node-postgres.
      const pool = new pg.Pool({ connectionString: database.url, max: options.writers + 8 });
      const statements = countStatements(pool);
      const db = new Kysely<BenchTables>({ dialect: new PostgresDialect({ pool }) });
      defer(() => db.destroy());
      await createWriteTable(db);
      const topicPrefix = `cf-bench-${randomBytes(4).toString('hex')}`;
      const outbox = createOutbox({ db, sns: aws.sns }, { topicPrefix });
      await outbox.publisher.topicArn('trainee');
      const load = loadavg()[0] ?? Number.NaN;

      // 1. Write overhead: each recording form against the same write without recording, alternating.
      const changeOf = (id: number) =>
        ({ objectType: 'trainee', objectId: String(id), objectVersion: 1, changeType: 'CREATE' }) as const;
      const recordedWrite = {
        objectType: 'trainee',
        objectId: 'id',
        objectVersion: 'version',
        changeType: 'CREATE',
      } as const;
      const forms: WriteForm[] = [
        { name: 'plainStatement', write: (id) => insertWrite(db, id).execute() },
        { name: 'plainTransaction', write: (id) => db.transaction().execute((trx) => insertWrite(trx, id).execute()) },
        {
          name: 'recordChangesInTransaction',
          write: (id) =>
            db.transaction().execute(async (trx) => {
              await insertWrite(trx, id).execute();
              await recordChanges(trx, changeOf(id));
            }),
        },
        { name: 'recordWrite', write: (id) => recordWrite(db, insertWrite(db, id), recordedWrite) },
        {
          name: 'outboxTransaction',
          write: (id) =>
            outbox.transaction(async (trx, changes) => {
              await insertWrite(trx, id).execute();
              await changes.record(changeOf(id));
            }),
          settle: () => outbox.flush(),
        },
        {
          name: 'outboxTransactionRecordWrite',
          write: (id) => outbox.transaction((trx, changes) => changes.recordWrite(insertWrite(trx, id), recordedWrite)),
          settle: () => outbox.flush(),
        },
        {
          name: 'outboxWrite',
          write: (id) => outbox.write(insertWrite(db, id), recordedWrite),
          settle: () => outbox.flush(),
        },
      ];
      const measure = { ...options, signal, statements };
      await measureWriteForms(forms.slice(0, 2), { ...measure, rounds: 1 }, 1_000_000_000); // warm-up
      const rates = await measureWriteForms(forms, measure);
      const rate = (form: string) => rates[form]?.txPerSecond ?? Number.NaN;
      const writeFigures: Record<string, number> = {};
      for (const [form, figures] of Object.entries(rates)) {
        writeFigures[`${form}TxPerSecond`] = figures.txPerSecond;
        writeFigures[`${form}StatementsPerWrite`] = figures.statementsPerWrite;
      }
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
        rounds: options.rounds,
        ...writeFigures,
        // Each recording form over the same write without recording, in the same shape: one statement
        // (autocommit) or one transaction (BEGIN, write, COMMIT).
        writeOverheadRatio: rate('recordChangesInTransaction') / rate('plainTransaction'),
        writeOverheadRatioWithFastPath: rate('outboxTransaction') / rate('plainTransaction'),
        oneStatementRatio: rate('recordWrite') / rate('plainStatement'),
        oneStatementRatioWithFastPath: rate('outboxWrite') / rate('plainStatement'),
        oneStatementInTransactionRatioWithFastPath: rate('outboxTransactionRecordWrite') / rate('plainTransaction'),
        publishChanges: options.backlog - left.count,
        publishChangesPerSecond: (options.backlog - left.count) / publishSeconds,
        ...steady,
      });
    }),
});
