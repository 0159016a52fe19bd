/**
 * Postgres being unreachable or refusing work for now is an outage the client should wait out, not
 * a bug: such failures answer 503 with `Retry-After`, so clients (the soak's writers, the pipeline
 * benchmark, any caller) can tell the two apart and retry.
 */

/** Seconds a client is told to wait before retrying while Postgres is unavailable. */
export const POSTGRES_RETRY_AFTER_SECONDS = 2;

/** Socket errors of a connection that could not be made or was lost. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs that mean "not now": class 08 (connection exception), 53300 too many connections,
 * 57P01-57P03 (admin shutdown, crash shutdown, cannot connect now), 57014 query canceled by
 * `statement_timeout`, 25P03 idle-in-transaction timeout.
 */
const UNAVAILABLE_SQLSTATE = /^(08...|53300|57P0[123]|57014|25P03)$/;

/** node-postgres's own messages for a pool that could not connect in time or a dropped connection. */
const PG_CLIENT_MESSAGES = [
  'timeout exceeded when trying to connect',
  'Connection terminated',
  'connection timeout',
  'Client has encountered a connection error',
];

/** Whether `err` (or an error in its `cause` chain) says Postgres cannot serve now. */
export function isPostgresUnavailable(err: unknown): boolean {
  for (let current = err, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth += 1) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code))) return true;
    if (current instanceof AggregateError && current.errors.some(isPostgresUnavailable)) return true;
    if (PG_CLIENT_MESSAGES.some((message) => current instanceof Error && current.message.includes(message)))
      return true;
  }
  return false;
}
