import { ChangeflowError } from '@changeflow/errors';
import { migrateSemaphore } from '@changeflow/semaphore';
import { type Kysely, type Migration, Migrator, sql } from 'kysely';
import { outboxMigrations } from './migrations/index.js';

/** Kysely's bookkeeping tables for the outbox's migrations; a service's own migrations use others. */
const MIGRATION_TABLE = 'changeflow_outbox_migration';
const MIGRATION_LOCK_TABLE = 'changeflow_outbox_migration_lock';

/**
 * Adds the outbox's tables to a service's database (`changes`, `failed_messages`, and the
 * semaphore's `semaphore_slots`), in the schema first on its `search_path`. Idempotent and safe to
 * run from several processes at once: Kysely's migrator takes a lock.
 *
 * @example
 * await migrateOutbox(db);
 */
export async function migrateOutbox<DB>(db: Kysely<DB>): Promise<void> {
  // Migrations see no tables' types: Kysely<DB> is invariant in DB, so widen it.
  const untyped = db as unknown as Kysely<unknown>;
  await migrateSemaphore(untyped);
  await runMigrations(untyped, outboxMigrations, 'outbox');
}

async function runMigrations(db: Kysely<unknown>, migrations: Record<string, Migration>, what: string): Promise<void> {
  // Pin Kysely's bookkeeping to the schema the tables go to, or it may find another search_path's.
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  const schema = rows[0]?.schema ?? undefined;
  const migrator = new Migrator({
    migrationTableSchema: schema,
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error === undefined) return;
  const failed = results?.find((result) => result.status === 'Error')?.migrationName ?? 'before any migration ran';
  throw new ChangeflowError(
    'MIGRATION_FAILED',
    `${what} migration ${failed} failed: ${(error as Error).message ?? String(error)}; fix the cause and run the migration again (it resumes where it stopped)`,
    { cause: error },
  );
}
