import { randomBytes } from 'node:crypto';
import { type ConsumerDatabase, migrateConsumer } from '@changeflow/consumer';
import type { Kysely } from 'kysely';
import { openRunDatabase } from '../support/run-database.js';

/** A schema of this run's own, migrated for the semaphore and the failure records the runtime writes. */
export interface ConsumerBenchDatabase {
  readonly db: Kysely<ConsumerDatabase>;
  /** Host and database, for the report (no credentials). */
  readonly where: string;
  /** Connection string of the run's schema (its `search_path`), for a pool of the caller's own. */
  readonly url: string;
  /** Drops the run's schema and closes the pool. */
  close(): Promise<void>;
}

/** The bench database (`BENCH_DATABASE_URL`) with a fresh `bench_consumer_<hex>` schema, migrated by `migrateConsumer`. */
export async function openConsumerBenchDatabase(env: NodeJS.ProcessEnv = process.env): Promise<ConsumerBenchDatabase> {
  const run = await openRunDatabase<ConsumerDatabase>(`bench_consumer_${randomBytes(4).toString('hex')}`, {
    env,
    poolSize: 4,
  });
  const close = async () => {
    try {
      await run.dropSchemas();
    } finally {
      await run.close();
    }
  };
  try {
    await migrateConsumer(run.db);
  } catch (err) {
    await close().catch(() => {});
    throw err;
  }
  return { db: run.db, where: run.where, url: run.urlFor('changeflow-bench-consumer'), close };
}
