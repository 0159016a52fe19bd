import { toError } from '@changeflow/errors';
import type { Logger } from 'pino';

/** Exit status after a second signal: 128 + SIGINT's number, as shells report an interrupted command. */
export const EXIT_INTERRUPTED = 130;

/** What {@link stopOnSignals} needs; `exit` is a parameter so the behaviour is the same in tests. */
export interface StopOnSignalsOptions {
  /** Stops the service; resolves when in-flight requests have finished. */
  stop(): Promise<void>;
  logger: Logger;
  /** @defaultValue `process.exit` */
  exit?: (code: number) => void;
}

/**
 * SIGTERM or SIGINT: stop (finish in-flight requests, then close), then exit 0, or 1 if stopping
 * failed. A second signal while stopping exits at once with 130: a write cut short rolls back, and
 * changes committed but not yet published are left to the sweeper (G3).
 */
export function stopOnSignals(options: StopOnSignalsOptions): void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let isStopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (isStopping) {
      options.logger.warn({ signal }, 'second signal: exiting at once');
      exit(EXIT_INTERRUPTED);
      return;
    }
    isStopping = true;
    options.logger.info({ signal }, 'stopping: finishing in-flight requests; send the signal again to exit at once');
    options.stop().then(
      () => exit(0),
      (err: unknown) => {
        options.logger.error({ err: toError(err) }, 'stopping failed');
        exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
