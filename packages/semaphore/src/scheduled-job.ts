import { hostname } from 'node:os';
import { toError } from '@changeflow/errors';
import { createTask, type ScheduledTask, validate } from 'node-cron';
import type { Logger } from 'pino';
import { createMissedTickReporter } from './missed-ticks.js';
import type { Lease, Semaphore } from './types.js';

/** What a job's run receives. */
export interface JobContext {
  /** Aborted when the job is stopped or its lease was lost: stop at the next safe point. */
  signal: AbortSignal;
  /** The slot this run holds (as acquired; refreshed behind the scenes). */
  lease: Lease;
  /**
   * Whether another process was refused a slot of this job's key during this run (`Semaphore.isWanted`).
   * A run that could go on asks at its natural breaks: true, end the run so the slot changes hands;
   * false, nobody waits, go on. True also when the lease was lost or the check failed.
   */
  isWanted(): Promise<boolean>;
}

/** A timer-driven job that runs in at most `maxLocks` processes of the cluster at a time (default one). */
export interface ScheduledJob {
  /** Starts the timer. Idempotent. */
  start(): void;
  /** Stops the timer, aborts a run in progress at its next safe point and waits for it. Idempotent. */
  stop(): Promise<void>;
  /**
   * Runs once now, unless a run is already going in this process (`busy`) or another instance holds
   * the slot (`not-elected`).
   */
  runOnce(): Promise<'ran' | 'busy' | 'not-elected'>;
}

export interface ScheduledJobDefinition {
  /** Names the job in logs. */
  name: string;
  /** The semaphore key whose slot a run takes. @defaultValue `changeflow:<name>` */
  key?: string;
  /** Runs of this job allowed at once across the cluster. @defaultValue 1 */
  maxLocks?: number;
  /** node-cron expression; six fields allow seconds (`* * * * * *` is every second). */
  schedule: string;
  /** IANA time zone the schedule is read in, e.g. `Europe/London`. @defaultValue the process's */
  timezone?: string;
  /** Lease on the slot; refreshed every third of it while the run lasts. */
  leaseMs: number;
  /** Who holds the slot, for `holders()` and logs (host and pid, usually). */
  holder: string;
  run(context: JobContext): Promise<void>;
}

/**
 * Runs `definition.run` on its schedule in at most `maxLocks` processes of the cluster at a time: each
 * run first takes a slot of the job's semaphore key, keeps the lease fresh while it works, and
 * releases it after. A lost lease aborts the run's signal (G6: the next holder may already be working).
 */
export function createScheduledJob(
  deps: { semaphore: Semaphore; logger: Logger },
  definition: ScheduledJobDefinition,
): ScheduledJob {
  if (!validate(definition.schedule)) {
    throw new TypeError(`${definition.name}: schedule "${definition.schedule}" is not a cron expression`);
  }
  const log = deps.logger.child({ component: definition.name });
  const key = definition.key ?? `changeflow:${definition.name}`;
  const maxLocks = definition.maxLocks ?? 1;
  let task: ScheduledTask | undefined;
  let current: Promise<unknown> | undefined;
  let stopping = new AbortController();
  const missedTicks = createMissedTickReporter(log);

  const runOnce = async (): Promise<'ran' | 'busy' | 'not-elected'> => {
    if (current) return 'busy';
    const run = (async () => {
      const lease = await deps.semaphore.acquire(key, maxLocks, definition.leaseMs, definition.holder);
      if (lease === undefined) return 'not-elected' as const;
      const controller = new AbortController();
      const onStop = () => controller.abort(stopping.signal.reason);
      stopping.signal.addEventListener('abort', onStop, { once: true });
      let held: Lease = lease;
      let isLeaseLost = false;
      const refresher = setInterval(
        () => {
          deps.semaphore.refresh(held).then(
            (fresh) => {
              held = fresh;
            },
            (err: unknown) => {
              isLeaseLost = true;
              log.warn({ err: toError(err) }, 'lease lost; stopping this run');
              controller.abort(err);
            },
          );
        },
        Math.max(1, Math.floor(definition.leaseMs / 3)),
      );
      const isWanted = () =>
        isLeaseLost
          ? Promise.resolve(true)
          : deps.semaphore.isWanted(held).catch((err: unknown) => {
              log.warn({ err: toError(err) }, 'could not ask whether another process waits; ending this run');
              return true;
            });
      try {
        await definition.run({ signal: controller.signal, lease, isWanted });
        return 'ran' as const;
      } finally {
        clearInterval(refresher);
        stopping.signal.removeEventListener('abort', onStop);
        if (!isLeaseLost) {
          await deps.semaphore.release(held).catch((err: unknown) => {
            log.warn({ err: toError(err) }, 'could not release the lease; it expires by itself');
          });
        }
      }
    })();
    current = run;
    try {
      return await run;
    } finally {
      current = undefined;
    }
  };

  return {
    start() {
      if (task) return;
      stopping = new AbortController();
      task = createTask(
        definition.schedule,
        async () => {
          try {
            await runOnce();
          } catch (err) {
            // A failed run is logged and the next tick tries again; nothing crashes the process.
            log.error({ err: toError(err) }, `${definition.name} run failed; retrying on the next tick`);
          }
        },
        // Overlap is handled above (`busy`), so node-cron need not block or warn about it; what it
        // does log goes through ours.
        { name: definition.name, logger: cronLogger(log), timezone: definition.timezone },
      );
      // A listener replaces node-cron's warning per missed tick with one line per pause.
      task.on('execution:missed', (context) => missedTicks.onMissed(context.date));
      void task.start();
    },
    async stop() {
      const stopped = task;
      task = undefined;
      if (stopped) await stopped.destroy();
      missedTicks.flush();
      stopping.abort(new Error(`${definition.name} stopped`));
      await current?.catch(() => {});
    },
    runOnce,
  };
}

/** node-cron's logger interface, onto pino: its own chatter at debug, its troubles at warn/error. */
function cronLogger(log: Logger) {
  return {
    info: (message: string) => log.debug({ source: 'node-cron' }, message),
    debug: (message: string | Error) => log.debug({ source: 'node-cron' }, String(message)),
    warn: (message: string) => log.warn({ source: 'node-cron' }, message),
    error: (message: string | Error, err?: Error) =>
      log.error({ source: 'node-cron', err: err ?? toError(message) }, String(message)),
  };
}

/** `<hostname>:<pid>`: enough to find the process that holds a slot. */
export function defaultHolder(): string {
  return `${hostname()}:${process.pid}`;
}
