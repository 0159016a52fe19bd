import { setTimeout as sleep } from 'node:timers/promises';

/** Spaces work out to at most `ratePerSecond` units a second. */
export interface RateLimiter {
  /**
   * Waits until `units` more may go, then counts them. The first call never waits; after it, units go
   * out evenly at the rate. Rejects with the signal's reason when `signal` aborts.
   */
  take(units: number, signal?: AbortSignal): Promise<void>;
  /** The largest batch worth taking at once: about one second's worth, between 1 and `max`. */
  batchSize(max: number): number;
}

/**
 * A limiter for `--rate`. `undefined` means unlimited: `take` resolves at once.
 *
 * @example
 * const limiter = createRateLimiter(options.rate);
 * await limiter.take(batch.length, signal);
 */
export function createRateLimiter(ratePerSecond: number | undefined): RateLimiter {
  if (ratePerSecond === undefined) {
    return { take: async () => {}, batchSize: (max) => max };
  }
  const msPerUnit = 1000 / ratePerSecond;
  let nextAt = 0;
  return {
    async take(units, signal) {
      const now = Date.now();
      const waitMs = Math.max(0, nextAt - now);
      nextAt = Math.max(now, nextAt) + units * msPerUnit;
      if (waitMs > 0) await sleep(waitMs, undefined, { signal });
    },
    batchSize: (max) => Math.max(1, Math.min(max, Math.floor(ratePerSecond))),
  };
}

/** Waits for the rate; `false` when the signal aborted first (before or while waiting). */
export async function waitForRate(
  limiter: RateLimiter,
  units: number,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  if (signal?.aborted) return false;
  try {
    await limiter.take(units, signal);
    return true;
  } catch (err) {
    if (signal?.aborted) return false;
    throw err;
  }
}
