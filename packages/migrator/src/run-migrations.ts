import { ChangeflowError } from '@changeflow/errors';
import { type Kysely, type Migration, Migrator, sql } from 'kysely';
import { withSchemaIntrospection } from './schema-introspection.js';

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
 * Runs a package's migrations with Kysely's `Migrator` in the connection's current schema, its
 * bookkeeping pinned there too (unpinned, Kysely may find another search_path's table). Idempotent,
 * and safe from several processes at once: Kysely takes a lock. Every package with tables uses it.
 * Kysely looks for its bookkeeping tables in that schema only (`withSchemaIntrospection`), so other
 * schemas changing meanwhile do not matter.
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
    db: withSchemaIntrospection(untyped, schema),
    provider: { getMigrations: async () => set.migrations },
    migrationTableName: set.tableName,
    migrationLockTableName: `${set.tableName}_lock`,
    migrationTableSchema: schema,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error === undefined) return;
  const failed = results?.find((result) => result.status === 'Error')?.migrationName ?? '(before any ran)';
  const detail = error instanceof Error ? error.message : String(error);
  throw new ChangeflowError(
    'MIGRATION_FAILED',
    `${set.what} migration ${failed} failed in schema ${schema}: ${detail}; fix the cause and migrate again (completed migrations are not repeated)`,
    { cause: error },
  );
}
