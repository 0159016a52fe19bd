import type { SNSClient } from '@aws-sdk/client-sns';
import { createOutbox } from '@changeflow/outbox';
import {
  type GmcDoctorInput,
  migrateRevalPrimary,
  REVAL_OBJECT_TYPES,
  type RevalDatabase,
  saveGmcDoctors,
} from '@changeflow/reval';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { NO_CHANGES } from '../support/no-changes.js';
import { progress } from '../support/progress.js';
import { openRunDatabase } from '../support/run-database.js';
import { runTogether } from '../support/run-together.js';
import { withCleanup } from '../support/with-cleanup.js';
import { type GmcBlock, gmcDoctorInput, gmcNumberOf } from './gmc-records.js';

/**
 * The baseline: the same records, in transactions of the same size and from as many concurrent
 * writers, written straight to Postgres by this process with Changeflow switched off, and again with
 * it on, so the outbox's cost is a ratio. There is no switch in the repository-service (and none is
 * added for a benchmark), so "off" is reval's own `saveGmcDoctors` with a change recorder that
 * records nothing: the same upsert and GMC-number filing, no change row, no publish. "On" is the
 * same call in `outbox.transaction`, recording the changes and publishing them after the commit to
 * topics of the baseline's own (no queue subscribes; the cluster never sees them).
 */

/** One side of the baseline: transactions and changes per second. */
interface BaselineSide {
  readonly transactionsPerSecond: number;
  readonly changesPerSecond: number;
}

/** The baseline of one transaction size. */
export interface BaselineResult {
  readonly plain: BaselineSide;
  readonly outbox: BaselineSide;
}

/** Where the baseline runs. */
export interface BaselineSetup {
  /** Its schema: `<schema>` in the bench database, dropped at the end unless `keep`. */
  readonly schema: string;
  /** The cluster's emulator, for the outbox's topics (`<topicPrefix>-gmc-doctor`). */
  readonly sns: SNSClient;
  readonly topicPrefix: string;
  readonly writers: number;
  readonly keep: boolean;
  readonly signal: AbortSignal;
}

/** Records written (uncounted) before each side is timed: connections, plans, JIT. */
const WARM_UP_RECORDS = 500;

/**
 * Runs both sides for each transaction size in `sizes` (records per transaction), `records` each,
 * plain first, in a schema of its own migrated like the cluster's (`migrateRevalPrimary`).
 */
export function measureBaseline(
  setup: BaselineSetup,
  runs: ReadonlyArray<{ recordsPerTransaction: number; records: number; plainBlock: GmcBlock; outboxBlock: GmcBlock }>,
): Promise<BaselineResult[]> {
  return withCleanup(async (defer) => {
    const database = await openRunDatabase(setup.schema);
    defer(() => database.close());
    if (!setup.keep) defer(() => database.dropSchemas());
    // The run database's pool is sized for observers; the writers get one of their own.
    const db = new Kysely<RevalDatabase>({
      dialect: new PostgresDialect({
        pool: new pg.Pool({ connectionString: database.urlFor(`${setup.schema}-writers`), max: setup.writers + 4 }),
      }),
    });
    defer(() => db.destroy());
    await migrateRevalPrimary(db);
    const outbox = createOutbox({ db, sns: setup.sns }, { topicPrefix: setup.topicPrefix });
    defer(() => outbox.flush());
    await outbox.publisher.topicArn(REVAL_OBJECT_TYPES.gmcDoctor);

    const write = async (
      label: string,
      block: GmcBlock,
      offset: number,
      count: number,
      size: number,
      save: (records: GmcDoctorInput[]) => Promise<unknown>,
    ): Promise<BaselineSide> => {
      const batches: GmcDoctorInput[][] = [];
      for (let start = 0; start < count; start += size) {
        const end = Math.min(count, start + size);
        batches.push(
          Array.from({ length: end - start }, (_, i) => gmcDoctorInput(gmcNumberOf(block, offset + start + i))),
        );
      }
      let next = 0;
      const started = performance.now();
      await runTogether(setup.writers, setup.signal, async (_copy, signal) => {
        for (let index = next++; index < batches.length && !signal.aborted; index = next++) {
          await save(batches[index] ?? []);
        }
      });
      const seconds = (performance.now() - started) / 1000;
      if (label !== '') progress(`pipeline: baseline ${label}: ${(count / seconds).toFixed(0)} changes/s`);
      return { transactionsPerSecond: batches.length / seconds, changesPerSecond: count / seconds };
    };
    const plain = (records: GmcDoctorInput[]) =>
      db.transaction().execute((trx) => saveGmcDoctors({ trx, changes: NO_CHANGES }, records));
    const recorded = (records: GmcDoctorInput[]) =>
      outbox.transaction((trx, changes) => saveGmcDoctors({ trx, changes }, records));

    const results: BaselineResult[] = [];
    for (const run of runs) {
      const size = run.recordsPerTransaction;
      const warmUp = Math.min(WARM_UP_RECORDS, run.records);
      await write('', run.plainBlock, 0, warmUp, size, plain);
      const plainSide = await write(`${size}/tx plain`, run.plainBlock, warmUp, run.records, size, plain);
      await write('', run.outboxBlock, 0, warmUp, size, recorded);
      const outboxSide = await write(
        `${size}/tx with the outbox`,
        run.outboxBlock,
        warmUp,
        run.records,
        size,
        recorded,
      );
      await outbox.flush();
      results.push({ plain: plainSide, outbox: outboxSide });
    }
    return results;
  });
}
