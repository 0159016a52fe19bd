import { runMigrations } from '@changeflow/migrator';
import { migrateSemaphore } from '@changeflow/semaphore';
import type { Kysely } from 'kysely';
import { outboxMigrations } from './migrations/index.js';

/**
 * Adds the outbox's tables to a service's database (`changes`, and the semaphore's
 * `semaphore_slots` for the sweeper), in the schema first on its `search_path`. Idempotent and safe
 * to run from several processes at once. Workers and dead-letter tools also need the consumer's
 * `failed_messages`: `migrateConsumer` from `@changeflow/consumer`.
 *
 * @example
 * await migrateOutbox(db);
 */
export async function migrateOutbox<DB>(db: Kysely<DB>): Promise<void> {
  await migrateSemaphore(db);
  await runMigrations(db, { migrations: outboxMigrations, tableName: 'changeflow_outbox_migration', what: 'outbox' });
}
