import { randomBytes } from 'node:crypto';
import { migrateConsumer } from '@changeflow/consumer';
import { migrateRevalIndex, migrateRevalPrimary, type RevalDatabase } from '@changeflow/reval';
import type { Kysely } from 'kysely';
import { openRunDatabase } from '../support/run-database.js';

/**
 * Connections of the pool: the sync holds one for its snapshot transaction and one for the
 * generation's inserts; progress counts, heartbeats, the semaphore, the outbox and the benchmark's
 * own polling take the rest.
 */
const POOL_SIZE = 8;

/** A run's own schemas in the bench database: the primary tables and the live index store. */
export interface SyncBenchDatabase {
  /** Kysely on a pool whose search_path is {@link runSchema}. */
  readonly db: Kysely<RevalDatabase>;
  /** Primary tables, outbox, semaphore and migration bookkeeping: `bench_sync_<hex>`. */
  readonly runSchema: string;
  /** The live index store, `<runSchema>_index`; the sync builds its generations beside it. */
  readonly indexSchema: string;
  /** Host and database, for the report (no credentials). */
  readonly where: string;
  /** Drops every schema whose name starts with {@link runSchema} (generations and retired ones too). */
  dropSchemas(): Promise<void>;
  /** Closes the pool. */
  close(): Promise<void>;
}

/**
 * Opens the bench database (`BENCH_DATABASE_URL`, else `changeflow_bench` on the local server,
 * created if missing) with a fresh schema of this run's own, migrated for reval's primary tables and
 * its index store, so a run never meets another's data.
 */
export async function openSyncBenchDatabase(env: NodeJS.ProcessEnv = process.env): Promise<SyncBenchDatabase> {
  const runSchema = `bench_sync_${randomBytes(4).toString('hex')}`;
  const run = await openRunDatabase<RevalDatabase>(runSchema, { env, poolSize: POOL_SIZE });
  const indexSchema = `${runSchema}_index`;
  try {
    await migrateRevalPrimary(run.db);
    await migrateConsumer(run.db);
    await migrateRevalIndex(run.db, indexSchema);
  } catch (err) {
    await run.dropSchemas().catch(() => {});
    await run.close();
    throw err;
  }
  return { db: run.db, runSchema, indexSchema, where: run.where, dropSchemas: run.dropSchemas, close: run.close };
}
