import { ChangeflowError, toError } from '@changeflow/errors';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';

/** How long a new connection may take before the attempt fails (pg waits forever by default). */
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * Connections of a pool. A write holds one for its transaction, an import one per batch in turn, and
 * a query up to three at once (its page and its counts run side by side).
 */
const POOL_SIZE = 20;

/**
 * Server-side limits on every connection of a pool, so a hung or paused process cannot hold a
 * transaction, and its row locks, open indefinitely: Postgres itself ends a statement running past
 * `statementTimeoutMs` and a session idle inside a transaction past `idleInTransactionTimeoutMs`
 * (the transaction is rolled back and its locks released). 0 leaves the server's setting.
 */
export interface PostgresTimeouts {
  statementTimeoutMs?: number;
  idleInTransactionTimeoutMs?: number;
}

/** One Postgres pool and Kysely on it. */
export interface Database<DB> {
  readonly db: Kysely<DB>;
  /** `host:port` of the server, for messages. */
  readonly address: string;
  /** Ends the pool. Idempotent. */
  close(): Promise<void>;
}

/** Raised when Postgres cannot be reached at start; the message names the address and the next step. */
export class PostgresUnreachableError extends ChangeflowError {
  constructor(address: string, variable: string, cause: unknown) {
    super(
      'POSTGRES_UNREACHABLE',
      `cannot reach Postgres at ${address} (${toError(cause).message}): start it or set ${variable}`,
      { cause },
    );
  }
}

/**
 * Opens a pool on `url` (each connection with `timeouts`) and checks that Postgres answers, so a wrong URL fails the start with one
 * clear error instead of every request logging its own. `variable` names where the URL came from.
 */
export async function openDatabase<DB>(
  url: string,
  variable: string,
  logger: Logger,
  timeouts: PostgresTimeouts = {},
): Promise<Database<DB>> {
  const address = addressOf(url);
  const pool = new pg.Pool({
    connectionString: url,
    max: POOL_SIZE,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    // Sent in the startup message: no extra round trip, and no connection without them.
    statement_timeout: timeouts.statementTimeoutMs || undefined,
    idle_in_transaction_session_timeout: timeouts.idleInTransactionTimeoutMs || undefined,
  });
  // An idle client whose connection dies emits 'error' on the pool; unhandled, it would end the
  // process. Its own listener below has logged it already.
  pool.on('error', () => {});
  // A client checked out for a transaction has no pool listener while the transaction waits between
  // statements; a backend terminated then (failover, pg_terminate_backend, an idle-in-transaction
  // timeout) emits 'error' on the client, which would end the process (the soak found it). With
  // this listener the transaction's next statement fails instead, and the pool drops the broken
  // client when it is released. Only the message and code are logged: pg attaches the client,
  // connection parameters and all, to the error.
  pool.on('connect', (client) => {
    client.on('error', (err) => {
      const { message, code } = err as NodeJS.ErrnoException;
      logger.warn(
        { error: message, code, component: 'postgres', address },
        'a Postgres connection failed; what ran on it fails and the pool replaces it',
      );
    });
  });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= db.destroy();
    return closing;
  };
  try {
    await sql`select 1`.execute(db);
  } catch (err) {
    await close();
    throw new PostgresUnreachableError(address, variable, err);
  }
  return { db, address, close };
}

/** `host:port` of a connection string, with pg's defaults filled in. */
function addressOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}`;
  } catch {
    return 'an unparsable URL';
  }
}
