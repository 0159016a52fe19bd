import { setTimeout as sleep } from 'node:timers/promises';
import { ChangeflowError } from '@changeflow/errors';
import { type Kysely, type Migration, Migrator, sql } from 'kysely';

/** One package's migrations and where Kysely keeps track of them. */
export interface MigrationSet {
  /** Names sort in the order they must run. */
  migrations: Record<string, Migration>;
  /** Kysely's bookkeeping table (its lock table is `<tableName>_lock`); one per package. */
  tableName: string;
  /** Says what is being migrated in errors, e.g. `outbox`. */
  what: string;
}

/**
 * SQLSTATEs Kysely's introspection meets when another schema is dropped while it reads the catalog:
 * `invalid_schema_name`, and `undefined_table` for the dropped schema's own bookkeeping table.
 */
const DROPPED_ELSEWHERE = new Set(['3F000', '42P01']);
/** Tries when another schema vanishes under Kysely's introspection (see below). */
const ATTEMPTS = 5;

/**
 * Runs a package's migrations with Kysely's `Migrator` in the connection's current schema, its
 * bookkeeping pinned there too (unpinned, Kysely may find another search_path's table). Idempotent,
 * and safe from several processes at once: Kysely takes a lock. Every package with tables uses it.
 *
 * Kysely looks for its bookkeeping table by listing the tables of every schema, and that query fails
 * with `invalid_schema_name`, or `undefined_table` naming the other schema's table, when some other
 * schema is dropped while it runs (parallel test files drop theirs; a full sync drops its old
 * generation). Nothing of ours is wrong then, so the run is simply tried again. Only a failure before
 * any migration ran is retried: a migration that fails on a missing table is a real error.
 */
export async function runMigrations<DB>(db: Kysely<DB>, set: MigrationSet): Promise<void> {
  const untyped = db as unknown as Kysely<unknown>;
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(untyped);
  const schema = rows[0]?.schema;
  if (!schema) {
    throw new ChangeflowError(
      'MIGRATION_FAILED',
      `cannot migrate the ${set.what}: the connection has no current schema; set search_path to an existing schema`,
    );
  }
  const migrator = new Migrator({
    db: untyped,
    provider: { getMigrations: async () => set.migrations },
    migrationTableName: set.tableName,
    migrationLockTableName: `${set.tableName}_lock`,
    migrationTableSchema: schema,
  });
  for (let attempt = 1; ; attempt += 1) {
    const { error, results } = await migrator.migrateToLatest();
    if (error === undefined) return;
    const isBeforeMigrations = !results?.some((result) => result.status === 'Error');
    if (attempt < ATTEMPTS && isBeforeMigrations && DROPPED_ELSEWHERE.has((error as { code?: string }).code ?? '')) {
      await sleep(50 * attempt);
      continue;
    }
    const failed = results?.find((result) => result.status === 'Error')?.migrationName ?? '(before any ran)';
    const detail = error instanceof Error ? error.message : String(error);
    throw new ChangeflowError(
      'MIGRATION_FAILED',
      `${set.what} migration ${failed} failed in schema ${schema}: ${detail}; fix the cause and migrate again (completed migrations are not repeated)`,
      { cause: error },
    );
  }
}
