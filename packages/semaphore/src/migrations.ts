import { ChangeflowError } from '@changeflow/errors';
import { type Kysely, type Migration, Migrator, sql } from 'kysely';

/** Kysely's record of which semaphore migrations ran, kept apart from any other package's. */
export const SEMAPHORE_MIGRATION_TABLE = 'changeflow_semaphore_migration';
/** The row Kysely's migrator locks while semaphore migrations run. */
export const SEMAPHORE_MIGRATION_LOCK_TABLE = 'changeflow_semaphore_migration_lock';

/**
 * The semaphore's schema, oldest first; names sort in the order they run. Exported so a package with its
 * own migrator (the outbox) can include them. Every statement is idempotent (`if not exists`), so running
 * them from both `migrateSemaphore` and another migrator is harmless. Names are unqualified: the table
 * lands in the first schema of the connection's `search_path`.
 */
export const semaphoreMigrations: Record<string, Migration> = {
  '0001-semaphore-slots': {
    async up(db: Kysely<unknown>): Promise<void> {
      // G6: the primary key (key, slot) is what keeps at most one lease per slot, whatever the races.
      // token is an always-identity column: nothing can write a token by hand, and every takeover draws
      // `DEFAULT`, so tokens only ever increase across the cluster (fencing).
      await sql`
        create table if not exists semaphore_slots (
          key text not null check (key ~ '[^[:space:]]'),
          slot integer not null check (slot >= 0),
          token bigint generated always as identity,
          holder text not null,
          acquired_at timestamptz not null default statement_timestamp(),
          expires_at timestamptz not null,
          primary key (key, slot)
        )
      `.execute(db);
      await sql`
        comment on table semaphore_slots is
          'Counting semaphore of @changeflow/semaphore: one row per slot of a key; a lease is live while expires_at > now() (database clock).'
      `.execute(db);
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await sql`drop table if exists semaphore_slots`.execute(db);
    },
  },
};

/**
 * Brings the semaphore's table up to date with Kysely's `Migrator`, recording what ran in
 * `changeflow_semaphore_migration` of the connection's current schema. Safe to run from many processes
 * at once: Kysely serialises migrators with a lock.
 *
 * @example
 * const db = new Kysely<SemaphoreDatabase>({ dialect: new PostgresDialect({ pool }) });
 * await migrateSemaphore(db);
 */
export async function migrateSemaphore<DB>(db: Kysely<DB>): Promise<void> {
  // Without a schema, Kysely's migrator looks for its table in every schema and would find another
  // search_path's (e.g. a parallel test file's); pin it to the schema our tables go to.
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  const schema = rows[0]?.schema;
  if (!schema) {
    throw new ChangeflowError(
      'MIGRATION_FAILED',
      'cannot migrate the semaphore: the connection has no current schema; set search_path to an existing schema',
    );
  }
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => semaphoreMigrations },
    migrationTableName: SEMAPHORE_MIGRATION_TABLE,
    migrationLockTableName: SEMAPHORE_MIGRATION_LOCK_TABLE,
    migrationTableSchema: schema,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName;
    const detail = error instanceof Error ? error.message : String(error);
    throw new ChangeflowError(
      'MIGRATION_FAILED',
      `semaphore migration ${failed ?? '(before any ran)'} failed in schema ${schema}: ${detail}: ` +
        'fix the cause and run migrateSemaphore again (completed migrations are not repeated)',
      { cause: error },
    );
  }
}
