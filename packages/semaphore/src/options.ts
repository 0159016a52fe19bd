import { parseOptions } from '@changeflow/errors';
import { type Logger, pino } from 'pino';
import { z } from 'zod';

/** The most slots one key may have: each acquire looks at every slot, so the number stays small. */
export const MAX_LOCKS_LIMIT = 10_000;
/** The longest lease: setTimeout's limit (~24.8 days), so a caller can always schedule its refresh. */
export const MAX_LEASE_MS = 2_147_483_647;

const isLogger = (value: unknown): value is Logger =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { child?: unknown }).child === 'function' &&
  typeof (value as { debug?: unknown }).debug === 'function';

/** Options of `createSemaphore`. */
export const semaphoreOptionsSchema = z.object({
  /**
   * pino logger; the semaphore binds `{ component: 'semaphore' }` and logs each acquire, refresh, release
   * and lost lease at debug level with `key`, `slot`, `token`, `holder`.
   * @defaultValue a silent logger
   */
  logger: z.custom<Logger>(isLogger, { message: 'must be a pino logger' }).default(() => pino({ level: 'silent' })),
});

/** What callers pass to `createSemaphore`. */
export type SemaphoreOptions = z.input<typeof semaphoreOptionsSchema>;
/** {@link SemaphoreOptions} after defaults. */
export type ResolvedSemaphoreOptions = z.output<typeof semaphoreOptionsSchema>;

/** Validates options once, filling defaults; a bad field raises a `ConfigError` naming it and its value. */
export function resolveSemaphoreOptions(options: SemaphoreOptions = {}): ResolvedSemaphoreOptions {
  return parseOptions(semaphoreOptionsSchema, options, 'semaphore options');
}

const nonBlank = z.string().regex(/\S/, 'must be a non-empty string');
const leaseMs = z.number().int().positive().max(MAX_LEASE_MS);
const token = z.string().regex(/^[0-9]+$/, 'must be the decimal token acquire returned');

const acquireArgsSchema = z.object({
  key: nonBlank,
  maxLocks: z.number().int().positive().max(MAX_LOCKS_LIMIT),
  leaseMs,
  holder: nonBlank,
});

const leaseSchema = z.object({
  key: nonBlank,
  slot: z.number().int().nonnegative(),
  token,
  holder: z.string(),
  leaseMs,
});

/** The arguments of `acquire`, checked. */
export type AcquireArgs = z.output<typeof acquireArgsSchema>;

/** Checks `acquire`'s arguments; raises a `ConfigError` naming every bad one with its value. */
export function parseAcquireArgs(args: AcquireArgs): AcquireArgs {
  return parseOptions(acquireArgsSchema, args, 'semaphore acquire arguments');
}

/** Checks a lease handed back to `refresh` or `release`, and the new `leaseMs` if any. */
export function parseLeaseArgs<L>(lease: L, newLeaseMs: number | undefined, operation: string): void {
  parseOptions(leaseSchema, lease, `lease passed to semaphore ${operation}`);
  if (newLeaseMs !== undefined)
    parseOptions(z.object({ leaseMs }), { leaseMs: newLeaseMs }, `semaphore ${operation} arguments`);
}

/** Checks the key given to `holders`. */
export function parseKey(key: string): string {
  return parseOptions(z.object({ key: nonBlank }), { key }, 'semaphore holders arguments').key;
}
