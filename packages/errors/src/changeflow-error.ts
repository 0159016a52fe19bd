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
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
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
