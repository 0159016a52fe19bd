/**
 * Every code a Changeflow error carries, in one place: callers branch on these (or on a subclass),
 * never on a message. A new failure that callers must tell apart adds its code here.
 */
export type ChangeflowErrorCode =
  | 'ADMIN_LISTEN_FAILED'
  | 'AWS_UNREACHABLE'
  | 'BODY_ABORTED'
  | 'BODY_EMPTY'
  | 'BODY_TOO_LARGE'
  | 'CONFIG_INVALID'
  | 'DATABASE_UNREACHABLE'
  | 'DATE_INVALID'
  | 'HANDLER_FATAL'
  | 'INDEX_NOT_FOUND'
  | 'INTERNAL'
  | 'INVALID_CHANGE'
  | 'LEASE_LOST'
  | 'LOCAL_AWS_UNAVAILABLE'
  | 'MALFORMED_MESSAGE'
  | 'MIGRATION_FAILED'
  | 'MOVE_TASK_UNSUPPORTED'
  | 'OBJECT_NOT_FOUND'
  | 'POSTGRES_UNAVAILABLE'
  | 'POSTGRES_UNREACHABLE'
  | 'QUERY_PARAMS_INVALID'
  | 'QUEUE_MISSING'
  | 'QUEUE_UNREACHABLE'
  | 'REPOSITORY_SERVICE_FAILED'
  | 'REQUEST_INVALID'
  | 'REQUEST_REFUSED'
  | 'ROUTE_NOT_FOUND'
  | 'SCHEMA_MISSING'
  | 'SCOPE_INSUFFICIENT'
  | 'SEMAPHORE_QUERY_FAILED'
  | 'SYNC_CONFLICT'
  | 'SYNC_NOT_FOUND'
  | 'TOKEN_INVALID'
  | 'TOKEN_MISSING'
  | 'TOPOLOGY_FAILED'
  | 'UNKNOWN_WORKER'
  | 'URI_TOO_LONG'
  | 'URL_INVALID'
  | 'USAGE'
  | 'WORKER_WITHOUT_HANDLER';

/**
 * The base of every error a Changeflow package throws on purpose.
 *
 * `code` is stable: callers branch on it (or on a subclass), never on the message. The message says
 * what failed, with which value, and what to do next. A wrapped SDK or pg error stays as `cause`.
 *
 * @example
 * throw new ChangeflowError('CONFIG_INVALID', 'AWS_REGION is empty: set it or unset it', { cause: err });
 */
export class ChangeflowError extends Error {
  /** A stable, upper-snake-case identifier of what went wrong, e.g. `LEASE_LOST`. */
  readonly code: ChangeflowErrorCode;

  constructor(code: ChangeflowErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Raised when options or environment variables are invalid; the message lists every bad field. */
export class ConfigError extends ChangeflowError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONFIG_INVALID', message, options);
  }
}

/** Turns anything that was thrown into an `Error`, so it can be logged and kept as a cause. */
export function toError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new Error(typeof thrown === 'string' ? thrown : JSON.stringify(thrown));
}
