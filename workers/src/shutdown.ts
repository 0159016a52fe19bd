import { toError } from '@changeflow/errors';
import type { Logger } from 'pino';

/** Exit status after a second signal: 128 + SIGINT's number, as shells report an interrupted command. */
export const EXIT_INTERRUPTED = 130;

/** What {@link stopOnSignals} needs; `exit` is a parameter so the behaviour is the same in tests. */
export interface StopOnSignalsOptions {
  /** Stops the app; resolves when it has drained. */
  stop(): Promise<void>;
  logger: Logger;
  /** @defaultValue `process.exit` */
  exit?: (code: number) => void;
}

/**
 * SIGTERM or SIGINT: stop (drain, then close), then exit 0, or 1 if stopping failed. A second signal
 * while stopping exits at once with 130: in-flight messages then return to their queue after their
 * visibility timeout, and held slots after their lease.
 */
export function stopOnSignals(options: StopOnSignalsOptions): void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      options.logger.warn({ signal }, 'second signal: exiting at once without draining');
      exit(EXIT_INTERRUPTED);
      return;
    }
    stopping = true;
    options.logger.info({ signal }, 'stopping: draining in-flight messages; send the signal again to exit at once');
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
