import { jitteredBackoff } from '@changeflow/errors';

/** Longest delay SQS takes for a message: 12 hours. */
const SQS_MAX_DELAY_SECONDS = 43_200;

/**
 * Seconds a failed message stays invisible before its next delivery: the one jittered backoff
 * (`@changeflow/errors`) with "equal jitter" from `baseSeconds`, rounded to SQS's whole seconds and
 * capped at `maxSeconds`. The jitter spreads a burst of retries; delays never shrink.
 */
export function backoffSeconds(attempt: number, baseSeconds: number, maxSeconds: number): number {
  const jittered = Math.round(jitteredBackoff(attempt, baseSeconds, { jitter: 'equal' }));
  return Math.min(maxSeconds, SQS_MAX_DELAY_SECONDS, jittered);
}
