import { runMigrations } from '@changeflow/migrator';
import { migrateSemaphore } from '@changeflow/semaphore';
import type { Kysely } from 'kysely';
import { consumerMigrations } from './migrations/index.js';

/** Kysely's record of which consumer migrations ran, kept apart from any other package's. */
export const CONSUMER_MIGRATION_TABLE = 'changeflow_consumer_migration';

/**
 * Adds the tables the worker runtime and the dead-letter operations use to a database:
 * `failed_messages`, and the semaphore's `semaphore_slots` (the workers' slots). Run it wherever
 * workers run or dead letters are listed, replayed or purged (the workers deployment, the console,
 * the CLI); a write service that only records changes needs `migrateOutbox` alone. In the schema
 * first on the `search_path`; idempotent and safe to run from several processes at once.
 *
 * @example
 * await migrateOutbox(db); // changes: the sweeper and the pipeline status read them
 * await migrateConsumer(db); // failed_messages, semaphore_slots
 */
export async function migrateConsumer<DB>(db: Kysely<DB>): Promise<void> {
  await migrateSemaphore(db);
  await runMigrations(db, { migrations: consumerMigrations, tableName: CONSUMER_MIGRATION_TABLE, what: 'consumer' });
}
