import { runMigrations } from '@changeflow/migrator';
import { migrateOutbox } from '@changeflow/outbox';
import type { Kysely } from 'kysely';
import { revalIndexMigrations } from './migrations/index-migrations.js';
import { revalPrimaryMigrations } from './migrations/primary-migrations.js';

/** The schema of the index store unless configured otherwise. */
export const DEFAULT_INDEX_SCHEMA = 'reval_index';

/** Creates the primary reval tables (and the outbox's) in the connection's current schema. Idempotent. */
export async function migrateRevalPrimary<DB>(db: Kysely<DB>): Promise<void> {
  await migrateOutbox(db);
  await runMigrations(db, {
    migrations: revalPrimaryMigrations,
    tableName: 'changeflow_reval_primary_migration',
    what: 'reval primary',
  });
}

/**
 * Creates the index store's schema and tables. Its bookkeeping lives in the connection's current
 * schema, named after the index schema so several index schemas can share one database.
 */
export async function migrateRevalIndex<DB>(db: Kysely<DB>, schema = DEFAULT_INDEX_SCHEMA): Promise<void> {
  await runMigrations(db, {
    migrations: revalIndexMigrations(schema),
    tableName: `changeflow_${schema}_migration`,
    what: 'reval index',
  });
}
