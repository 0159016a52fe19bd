import { progress } from './progress.js';

/** Registers a step to run when the body of {@link withCleanup} ends, however it ends. */
export type Defer = (step: () => unknown) => void;

/**
 * Runs `body`, then every step it deferred, latest first, whether the body returned or threw, so a
 * half-done start undoes itself. Every step runs even if one fails. A body error wins: cleanup errors
 * are then written to stderr. If only cleanup failed, an AggregateError of its errors is thrown.
 *
 * @example
 * await withCleanup(async (defer) => {
 *   const local = await startAwsLocalProcess();
 *   defer(() => local.stop());
 *   // ... measure ...
 * });
 */
export async function withCleanup<T>(body: (defer: Defer) => Promise<T>): Promise<T> {
  const steps: Array<() => unknown> = [];
  let outcome: { ok: true; value: T } | { ok: false; error: unknown };
  try {
    outcome = { ok: true, value: await body((step) => steps.push(step)) };
  } catch (error) {
    outcome = { ok: false, error };
  }
  const cleanupErrors: unknown[] = [];
  for (const step of steps.reverse()) {
    try {
      await step();
    } catch (error) {
      cleanupErrors.push(error);
    }
  }
  if (!outcome.ok) {
    for (const error of cleanupErrors) progress(`cleanup also failed: ${describe(error)}`);
    throw outcome.error;
  }
  if (cleanupErrors.length > 0) throw new AggregateError(cleanupErrors, 'cannot clean up after the benchmark');
  return outcome.value;
}

function describe(error: unknown): string {
  if (error instanceof AggregateError) return `${error.message}: ${error.errors.map(describe).join('; ')}`;
  return error instanceof Error ? error.message : String(error);
}
