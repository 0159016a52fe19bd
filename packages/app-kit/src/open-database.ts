import { ChangeflowError, toError } from '@changeflow/errors';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';

/** How long a new connection may take before the attempt fails (pg waits forever by default). */
const CONNECT_TIMEOUT_MS = 5_000;

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

/** How {@link openDatabase} opens a pool. */
export interface OpenDatabaseOptions {
  /** Where the URL came from (`DATABASE_URL`, `INDEX_DATABASE_URL`), named in the error. */
  variable: string;
  /** Receives a warning when a connection of the pool fails. */
  logger: Logger;
  /** Connections of the pool. */
  poolSize: number;
  /** Server-side limits on every connection of the pool. @defaultValue none: the server's settings */
  timeouts?: PostgresTimeouts;
}

/** Raised when Postgres cannot be reached at start; the message names the address and the next step. */
export class PostgresUnreachableError extends ChangeflowError {
  /** `host:port` that did not answer. */
  readonly address: string;

  constructor(address: string, variable: string, cause: unknown) {
    super(
      'POSTGRES_UNREACHABLE',
      `cannot reach Postgres at ${address} (${toError(cause).message}): start it or set ${variable}`,
      { cause },
    );
    this.address = address;
  }
}

/**
 * Opens a pool on `url` (each connection with `options.timeouts`) and checks that Postgres answers, so a wrong URL fails the start with one
 * clear error instead of every request or tick logging its own.
 *
 * @example
 * const { db, close } = await openDatabase<OutboxDatabase>(url, { variable: 'DATABASE_URL', logger, poolSize: 10 });
 */
export async function openDatabase<DB>(url: string, options: OpenDatabaseOptions): Promise<Database<DB>> {
  const address = addressOf(url);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    // Sent in the startup message: no extra round trip, and no connection without them.
    statement_timeout: options.timeouts?.statementTimeoutMs || undefined,
    idle_in_transaction_session_timeout: options.timeouts?.idleInTransactionTimeoutMs || undefined,
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
      options.logger.warn(
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
    throw new PostgresUnreachableError(address, options.variable, err);
  }
  return { db, address, close };
}

/**
 * The index store's pool (`INDEX_DATABASE_URL`): the primary's own when both URLs are equal (its
 * `close()` then does nothing; the primary's closes it), else one of its own.
 *
 * @example
 * const index = await openIndexDatabase<IndexDB>(primary, config, { logger, poolSize: 10 });
 */
export async function openIndexDatabase<DB, PrimaryDB = unknown>(
  primary: Database<PrimaryDB>,
  urls: { databaseUrl: string; indexDatabaseUrl: string },
  options: Omit<OpenDatabaseOptions, 'variable'>,
): Promise<Database<DB>> {
  if (urls.indexDatabaseUrl === urls.databaseUrl) {
    return { db: primary.db as unknown as Kysely<DB>, address: primary.address, close: async () => {} };
  }
  return openDatabase<DB>(urls.indexDatabaseUrl, { ...options, variable: 'INDEX_DATABASE_URL' });
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
