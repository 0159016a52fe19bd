/**
 * Seconds a failed message stays invisible before its next delivery: `base * 2^(attempt-1)` with
 * "equal jitter" (half fixed, half random), then capped at `maxSeconds`. The jitter spreads a burst
 * of retries; because the band of one attempt starts where the last one's ended, delays never shrink.
 */
export function backoffSeconds(attempt: number, baseSeconds: number, maxSeconds: number): number {
  const exponential = baseSeconds * 2 ** Math.max(0, attempt - 1);
  const jittered = Math.round(exponential / 2 + (Math.random() * exponential) / 2);
  // SQS takes whole seconds, at most 12 hours.
  return Math.min(maxSeconds, 43_200, jittered);
}
