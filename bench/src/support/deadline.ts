/** A signal that aborts when its parent does or when the time is up; `clear()` ends the timer. */
export interface Deadline {
  readonly signal: AbortSignal;
  /** Stops the timer and lets go of the parent; the signal stays as it is. Idempotent. */
  clear(): void;
}

/**
 * `signal` or `ms` from now, whichever comes first. Not `AbortSignal.any([signal,
 * AbortSignal.timeout(ms)])`: on Node 20 the timeout signal inside `any()` can be garbage-collected
 * before it fires, and the combined signal then never aborts (seen here: a one-minute soak ran on
 * for minutes). A timer of our own holds the controller alive until it fires or is cleared.
 *
 * @example
 * const deadline = withDeadline(signal, options.maxSeconds * 1000);
 * try { await run(deadline.signal); } finally { deadline.clear(); }
 */
export function withDeadline(signal: AbortSignal, ms: number): Deadline {
  const controller = new AbortController();
  const abort = () => controller.abort(signal.aborted ? signal.reason : new Error(`deadline of ${ms} ms reached`));
  // Unref'd: a deadline nobody cleared must not keep the process alive after the work is done.
  const timer = setTimeout(abort, ms).unref();
  if (signal.aborted) abort();
  else signal.addEventListener('abort', abort, { once: true });
  return {
    signal: controller.signal,
    clear() {
      clearTimeout(timer);
      signal.removeEventListener('abort', abort);
    },
  };
}
