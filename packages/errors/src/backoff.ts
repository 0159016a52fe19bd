/**
 * The one jittered exponential backoff: `base * 2^(attempt-1)`, in whatever unit `base` is in.
 * - `full` jitter: anywhere from 0 to that (spreads a burst the most; used between SNS re-sends).
 * - `equal` jitter: half fixed, half random, so the band of one attempt starts where the last one's
 *   ended and delays never shrink (used for SQS redelivery).
 * `max` caps the result.
 *
 * @example
 * await sleep(jitteredBackoff(attempt, 100, { jitter: 'full' })); // ms
 */
export function jitteredBackoff(
  attempt: number,
  base: number,
  options: { jitter: 'full' | 'equal'; max?: number },
): number {
  const exponential = base * 2 ** Math.max(0, attempt - 1);
  const delay =
    options.jitter === 'full' ? Math.random() * exponential : exponential / 2 + (Math.random() * exponential) / 2;
  return Math.min(options.max ?? Number.POSITIVE_INFINITY, delay);
}
