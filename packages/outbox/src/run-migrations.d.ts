import { type Kysely, type Migration } from 'kysely';
/** One package's migrations and where Kysely keeps track of them. */
export interface MigrationSet {
    /** Names sort in the order they must run. */
    migrations: Record<string, Migration>;
    /** Kysely's bookkeeping table; one per package, so packages migrate independently. */
    tableName: string;
    /** Says what is being migrated in errors, e.g. `outbox`. */
    what: string;
}
/**
 * Runs a package's migrations with Kysely's `Migrator`, in the connection's current schema (Kysely's
 * bookkeeping is pinned there too, or it might find another search_path's table). Idempotent, and
 * safe from several processes at once: Kysely takes a lock.
 */
export declare function runMigrations<DB>(db: Kysely<DB>, set: MigrationSet): Promise<void>;
