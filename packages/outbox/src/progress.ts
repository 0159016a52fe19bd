/*
 * How long operations (republish here, dead-letter replays in `@changeflow/consumer`) report how far
 * they are: the CLI draws a bar, the console shows counts, tests pass `silentProgress`.
 */

/** One long piece of work being counted: moved messages, published changes. */
export interface ProgressTask {
  /** Counts `by` more units done; `detail` replaces the short text after the counts. */
  increment(by: number, detail?: string): void;
  /** Sets the total when it becomes known or changes. */
  setTotal(total: number): void;
  /** Ends the task: the bar is completed, or a last plain line is printed. Idempotent. */
  stop(): void;
}

/** Starts progress tasks. The CLI sends it to stderr; the console keeps the counts. */
export interface Progress {
  start(label: string, total: number): ProgressTask;
}

/** Progress that shows nothing, for callers that print their own (and for in-process tests). */
export const silentProgress: Progress = {
  start: () => ({ increment() {}, setTotal() {}, stop() {} }),
};
