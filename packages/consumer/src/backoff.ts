/**
 * Seconds a failed message stays invisible before its next delivery: `base * 2^(attempt-1)`, capped,
 * with "equal jitter" (half fixed, half random) so retries of a burst spread out but keep growing.
 */
export function backoffSeconds(attempt: number, baseSeconds: number, maxSeconds: number): number {
  const exponential = Math.min(maxSeconds, baseSeconds * 2 ** Math.max(0, attempt - 1));
  const half = exponential / 2;
  // SQS takes whole seconds, at most 12 hours.
  return Math.min(43_200, Math.round(half + Math.random() * half));
}
