/**
 * Exit codes scripts can rely on (README "Exit codes" lists the same):
 * - `0` ok: the command did everything it was asked.
 * - `1` failure: it could not run or did none of its work (Postgres or SQS unreachable, a queue missing,
 *   every change failed to publish).
 * - `2` bad usage: an unknown command, option or worker, a bad value, a refused `purge` without `--yes`,
 *   invalid configuration. Nothing was changed.
 * - `3` partial: some of the work was done and some was not (messages not moved, changes not
 *   published, interrupted by a signal); the output says what, and running it again is safe.
 */
export const EXIT_CODES = {
  ok: 0,
  failure: 1,
  usage: 2,
  partial: 3,
} as const;

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];
