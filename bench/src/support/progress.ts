/** How often a running measurement reports progress. */
const PROGRESS_INTERVAL_MS = 1_000;

/** Writes one progress line to stderr, so stdout holds only the figures and ends with the JSON line. */
export function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}

/**
 * Calls `describe()` every second and writes its line to stderr until the returned function is called
 * (DESIGN.md §6: every long-running command shows progress).
 *
 * @example
 * const stopProgress = showProgress(() => `delivered ${delivered} of ${total}`);
 * try { await measure(); } finally { stopProgress(); }
 */
export function showProgress(describe: () => string): () => void {
  const timer = setInterval(() => progress(describe()), PROGRESS_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
