/** Why loading stopped: callers (the CLI) branch on `code` to say what to do next. */
export type LoadErrorCode =
  /** No connection to the repository-service (refused, unknown host, reset before an answer). */
  | 'unreachable'
  /** 401: no token or a wrong one. */
  | 'unauthorized'
  /** 403: a valid token that may not write (the READ token). */
  | 'forbidden'
  /** Any other answer that is not a success, or an answer that does not match the import contract. */
  | 'bad-answer';

/** A failure to load demo data; the message says what failed, where, and what to do. */
export class LoadError extends Error {
  override readonly name = 'LoadError';
  readonly code: LoadErrorCode;
  /** The URL of the request that failed. */
  readonly url: string;

  constructor(code: LoadErrorCode, url: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.url = url;
  }
}
