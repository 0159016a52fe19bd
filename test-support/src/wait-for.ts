import { setTimeout as sleep } from 'node:timers/promises';

/** How long {@link waitFor} keeps asking, and how often. */
export interface WaitForOptions {
  /** @defaultValue 10000 */
  timeoutMs?: number;
  /** @defaultValue 25 */
  intervalMs?: number;
  /** Names the fact in the failure message. */
  description?: string;
}

/**
 * Asks until `check` returns something other than `undefined`, `false` or `null`, and returns it.
 * Tests wait for a fact, never for a fixed time: the timeout only bounds a test that would hang.
 *
 * @example
 * await waitFor(async () => (await unpublishedCount(db)) === 0, { description: 'outbox drained' });
 */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  options: WaitForOptions = {},
): Promise<Exclude<T, undefined | false | null>> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 25;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false && value !== null)
        return value as Exclude<T, undefined | false | null>;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${options.description ?? 'a condition'}`, {
        cause: lastError,
      });
    }
    await sleep(intervalMs);
  }
}
