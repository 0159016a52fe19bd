import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { explainPostgresError } from './errors.js';

/** How long the CLI waits for a Postgres connection before it says Postgres is unreachable. */
const CONNECT_TIMEOUT_MS = 5000;

/**
 * Opens a small pool on `url` and checks it answers, so an unreachable Postgres fails at once with
 * what to do (`DatabaseUnreachableError`) rather than in the middle of a command. Destroy it when done.
 */
export async function connectDatabase<DB>(url: string, variable = 'DATABASE_URL'): Promise<Kysely<DB>> {
  const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // An idle client that loses its server emits 'error' on the pool; without a listener it would crash the CLI.
  pool.on('error', () => {});
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  try {
    await sql`select 1`.execute(db);
  } catch (err) {
    await db.destroy().catch(() => {});
    throw explainPostgresError(err, url, variable);
  }
  return db;
}

/** Whether a table is visible on the connection's search_path (a table of a later issue may not exist yet). */
export async function tableExists<DB>(db: Kysely<DB>, table: string): Promise<boolean> {
  const result = await sql<{ found: string | null }>`select to_regclass(${table})::text as found`.execute(db);
  return (result.rows[0]?.found ?? null) !== null;
}
