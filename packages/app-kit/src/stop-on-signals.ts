import { toError } from '@changeflow/errors';
import type { Logger } from 'pino';

/** Exit status after a second signal: 128 + SIGINT's number, as shells report an interrupted command. */
export const EXIT_INTERRUPTED = 130;

/** What {@link stopOnSignals} needs; `exit` is a parameter so the behaviour is the same in tests. */
export interface StopOnSignalsOptions {
  /** Stops the process's work; resolves when it has drained (or handed the rest back). */
  stop(): Promise<void>;
  logger: Logger;
  /** What stopping waits for, in the log line: `in-flight requests`, `in-flight messages`. */
  draining: string;
  /**
   * How long `stop()` may take before the process exits anyway with 1, in ms. Unset: no deadline.
   * @defaultValue undefined
   */
  deadlineMs?: number;
  /** @defaultValue `process.exit` */
  exit?: (code: number) => void;
}

/**
 * SIGTERM or SIGINT: stop (drain, then close), then exit 0, or 1 if stopping failed or outlasted
 * `deadlineMs`. A second signal while stopping exits at once with 130: in-flight work is left to
 * what recovers it (SQS visibility timeouts, lease expiry, a transaction's rollback, the sweeper).
 *
 * close-with-grace was considered: it also traps nine other signals, uncaught errors and
 * `beforeExit`, and exits 1 on a second signal; the apps' contract is SIGTERM/SIGINT and 130.
 *
 * @example
 * stopOnSignals({ logger, draining: 'in-flight messages', deadlineMs: 60_000, stop: () => app.stop() });
 */
export function stopOnSignals(options: StopOnSignalsOptions): void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let isStopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (isStopping) {
      options.logger.warn({ signal }, 'second signal: exiting at once without draining');
      exit(EXIT_INTERRUPTED);
      return;
    }
    isStopping = true;
    options.logger.info(
      { signal, deadlineMs: options.deadlineMs },
      `stopping: draining ${options.draining}; send the signal again to exit at once`,
    );
    const deadline =
      options.deadlineMs === undefined
        ? undefined
        : setTimeout(() => {
            options.logger.error({ deadlineMs: options.deadlineMs }, 'stopping outlasted its deadline: exiting');
            exit(1);
          }, options.deadlineMs);
    deadline?.unref();
    options.stop().then(
      () => {
        clearTimeout(deadline);
        exit(0);
      },
      (err: unknown) => {
        clearTimeout(deadline);
        options.logger.error({ err: toError(err) }, 'stopping failed');
        exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
