/**
 * Runs `count` copies of a loop at once and waits for every one to settle. Each copy gets a signal that
 * aborts when `signal` does or when any copy fails, so one failure stops the rest instead of leaving
 * them running; that first failure is then rethrown. A copy that throws because its signal was aborted
 * (the SDK's `AbortError`) has simply stopped, and is not a failure.
 *
 * @example
 * await runTogether(4, deadline, async (copy, signal) => {
 *   while (!signal.aborted) await publishOne(signal);
 * });
 */
export async function runTogether(
  count: number,
  signal: AbortSignal,
  loop: (copy: number, signal: AbortSignal) => Promise<void>,
): Promise<void> {
  const failed = new AbortController();
  const loopSignal = AbortSignal.any([signal, failed.signal]);
  const copies = Array.from({ length: count }, async (_, copy) => {
    try {
      await loop(copy, loopSignal);
    } catch (err) {
      // Once the shared signal is aborted every copy is expected to throw or return: not a failure.
      if (!loopSignal.aborted) failed.abort(err);
    }
  });
  await Promise.all(copies);
  if (failed.signal.aborted) throw failed.signal.reason;
}

/**
 * Awaits `work`; if it rejects after `signal` aborted, resolves to `undefined` instead, since an
 * aborted call is how a bounded loop learns its time is up. Any other rejection passes through.
 */
export async function unlessAborted<T>(signal: AbortSignal, work: Promise<T>): Promise<T | undefined> {
  try {
    return await work;
  } catch (err) {
    if (signal.aborted) return undefined;
    throw err;
  }
}
