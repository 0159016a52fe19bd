/**
 * `npm run bench -- outbox`: what the outbox costs and how fast it publishes (issue 3).
 * 1. Write overhead: transactions/s of a representative write (an INSERT of one ~190-byte jsonb row)
 *    without recording and in each recording form (recordChanges in a transaction, recordWrite's one
 *    statement; with and without the fast path), as ratios to the same write unrecorded.
 * 2. Publish throughput: changes/s from committed, unpublished rows to SNS acknowledgement (and
 *    `published_at` stamped), through the sweeper's path (`findUnpublished` → publisher).
 * 3. Latency from commit to SNS acknowledgement at a steady rate (default 1,000 changes/s), p50/p99.
 * The local SNS/SQS runs in its own child process, as the harness provides.
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { awsOptionsFromEnv, createAwsClients } from '@changeflow/aws';
import { createOutbox, type OutboxDatabase, recordChanges, recordWrite, unpublishedStats } from '@changeflow/outbox';
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
    rate: { description: 'changes per second in the latency run', default: 1_000, min: 10, max: 20_000 },
    seconds: { description: 'length of the latency run, in seconds', default: 10, min: 1, max: 600 },
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
