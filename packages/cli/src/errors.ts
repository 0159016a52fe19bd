import { ChangeflowError, ConfigError, toError } from '@changeflow/errors';
import { EXIT_CODES, type ExitCode } from './exit-codes.js';

/** The command was used wrongly (unknown worker, missing `--yes`, a bad value): exit code 2, nothing changed. */
export class UsageError extends ChangeflowError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('USAGE', message, options);
  }
}

/** Postgres could not be reached or refused the connection; the message says how to start it or where to point. */
export class DatabaseUnreachableError extends ChangeflowError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DATABASE_UNREACHABLE', message, options);
  }
}

/** A table the command reads is missing: the database was never migrated. */
export class SchemaMissingError extends ChangeflowError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SCHEMA_MISSING', message, options);
  }
}

/** SNS/SQS could not be reached, or refused the call. */
export class AwsUnreachableError extends ChangeflowError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('AWS_UNREACHABLE', message, options);
  }
}

/** The exit code of an error that ended a command: usage and configuration errors are 2, the rest 1. */
export function exitCodeOf(err: unknown): ExitCode {
  if (err instanceof UsageError || err instanceof ConfigError) return EXIT_CODES.usage;
  return EXIT_CODES.failure;
}

/** `{ code, message }` of any thrown value, for `--json` output. */
export function describeError(err: unknown): { code: string; message: string } {
  const error = toError(err);
  return { code: error instanceof ChangeflowError ? error.code : 'UNEXPECTED', message: error.message };
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH']);

/** How a pg error reads when it is about reaching the server at all. */
function isConnectionFailure(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    // 28xxx: authentication; 3D000: no such database; 57P03: cannot connect now.
    if (CONNECTION_CODES.has(code) || code.startsWith('28') || code === '3D000' || code === '57P03') return true;
  }
  const message = toError(err).message;
  return /timeout exceeded when trying to connect|Connection terminated/i.test(message);
}

/** `host:port/database` of a connection string, without the password. */
export function describePostgresUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return '(an unparsable URL)';
  }
}

/**
 * Names a Postgres failure and the next step: unreachable → start it or set `DATABASE_URL`; a missing
 * table → `changeflow migrate`. Anything else is returned unchanged.
 */
export function explainPostgresError(err: unknown, url: string, variable = 'DATABASE_URL'): unknown {
  if (err instanceof ChangeflowError) return err;
  const where = describePostgresUrl(url);
  if (isConnectionFailure(err)) {
    const cause = toError(err);
    return new DatabaseUnreachableError(
      `cannot reach Postgres at ${where} (${cause.message || (err as { code?: string }).code}): start it ` +
        '(`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`, or ' +
        `\`docker compose up -d postgres\`) or point ${variable} (or --database-url) at a running one`,
      { cause: err },
    );
  }
  if ((err as { code?: unknown }).code === '42P01') {
    return new SchemaMissingError(
      `${toError(err).message} in ${where}: create the tables with \`changeflow migrate\` (or check ${variable} ` +
        'and its search_path)',
      { cause: err },
    );
  }
  return err;
}

/**
 * Names an SNS/SQS failure and the next step. A connection failure says which endpoint could not be
 * reached; anything else keeps the SDK's name and message.
 */
export function explainAwsError(err: unknown, endpoint: string | undefined, what: string): unknown {
  if (err instanceof ChangeflowError) return err;
  const cause = toError(err);
  const code = (err as { code?: unknown }).code;
  const where = endpoint ?? 'AWS (no AWS_ENDPOINT_URL set)';
  if ((typeof code === 'string' && CONNECTION_CODES.has(code)) || /ECONNREFUSED|ENOTFOUND/.test(cause.message)) {
    return new AwsUnreachableError(
      `cannot ${what}: SNS/SQS at ${where} is unreachable (${cause.message || code}): start the local SNS/SQS ` +
        '(`npm run aws-local -- --port 4566`) or set AWS_ENDPOINT_URL (unset it for AWS itself)',
      { cause: err },
    );
  }
  return new AwsUnreachableError(
    `cannot ${what}: ${cause.name}: ${cause.message} (endpoint ${where}); check AWS_ENDPOINT_URL, the region and ` +
      "the credentials' permissions",
    { cause: err },
  );
}

/** Exit code for a command that did `done` of `done + notDone` units of work. */
export function exitCodeForCounts(done: number, notDone: number): ExitCode {
  if (notDone === 0) return EXIT_CODES.ok;
  return done > 0 ? EXIT_CODES.partial : EXIT_CODES.failure;
}
