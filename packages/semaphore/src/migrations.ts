import { runMigrations } from '@changeflow/migrator';
import { type Kysely, type Migration, sql } from 'kysely';

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
  '0002-semaphore-wanted': {
    async up(db: Kysely<unknown>): Promise<void> {
      // Nullable and without a default: adding it rewrites nothing, and rows of live leases read as
      // "nobody waits" until an acquirer is refused.
      await sql`alter table semaphore_slots add column if not exists wanted_at timestamptz`.execute(db);
      await sql`
        comment on column semaphore_slots.wanted_at is
          'When an acquirer first found every slot of the key held during this lease; null while nobody waited. A holder that could go on ends its turn when it is set.'
      `.execute(db);
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await sql`alter table semaphore_slots drop column if exists wanted_at`.execute(db);
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
  await runMigrations(db, { migrations: semaphoreMigrations, tableName: SEMAPHORE_MIGRATION_TABLE, what: 'semaphore' });
}
