import { type Database, openDatabase, PostgresUnreachableError } from '@changeflow/app-kit';
import { explainPostgresError } from '@changeflow/errors';
import { type Kysely, sql } from 'kysely';
import type { Logger } from 'pino';

/** Connections of a command's pool: a command runs a few queries side by side at most. */
const POOL_SIZE = 4;

/**
 * Opens a small pool on `url` and checks it answers, so an unreachable Postgres fails at once with
 * what to do (`DatabaseUnreachableError`, naming the CLI's flag too) rather than in the middle of a
 * command. Close it when done.
 */
export async function connectDatabase<DB>(url: string, variable: string, logger: Logger): Promise<Database<DB>> {
  try {
    return await openDatabase<DB>(url, { variable, logger, poolSize: POOL_SIZE });
  } catch (err) {
    throw explainPostgresError(err instanceof PostgresUnreachableError ? err.cause : err, url, variable);
  }
}

/** Whether a table is visible on the connection's search_path (a table of a later issue may not exist yet). */
export async function tableExists<DB>(db: Kysely<DB>, table: string): Promise<boolean> {
  const result = await sql<{ found: string | null }>`select to_regclass(${table})::text as found`.execute(db);
  return (result.rows[0]?.found ?? null) !== null;
}
