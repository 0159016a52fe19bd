import { ChangeflowError, ConfigError, toError, UsageError } from '@changeflow/errors';
import { EXIT_CODES, type ExitCode } from './exit-codes.js';

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

/** Exit code for a command that did `done` of `done + notDone` units of work. */
export function exitCodeForCounts(done: number, notDone: number): ExitCode {
  if (notDone === 0) return EXIT_CODES.ok;
  return done > 0 ? EXIT_CODES.partial : EXIT_CODES.failure;
}
