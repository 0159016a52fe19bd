import type { Logger } from 'pino';

/** Reports the ticks of a schedule missed during one pause. */
export interface MissedTickReporter {
  /** node-cron's `execution:missed` for one tick. */
  onMissed(scheduledAt: Date): void;
  /** Logs what is pending now, so nothing is lost at stop. */
  flush(): void;
}

/**
 * Counts the ticks node-cron missed (the process was paused, SIGSTOPped or its event loop blocked)
 * and logs them once per pause, `{ missedTicks, firstMissedAt, lastMissedAt }`, instead of node-cron's
 * one warning per tick (409 lines in one millisecond after a 137 s pause of a per-second schedule).
 * node-cron reports every tick a pause missed in one synchronous burst when the process resumes, so
 * the report goes out on the next turn of the event loop, after the burst.
 */
export function createMissedTickReporter(log: Logger): MissedTickReporter {
  let pending: { count: number; first: Date; last: Date } | undefined;
  let timer: NodeJS.Immediate | undefined;
  const flush = () => {
    if (timer) clearImmediate(timer);
    timer = undefined;
    if (!pending) return;
    const { count, first, last } = pending;
    pending = undefined;
    log.warn(
      { missedTicks: count, firstMissedAt: first.toISOString(), lastMissedAt: last.toISOString() },
      'scheduled ticks were missed while the process was paused or busy; the schedule goes on from now',
    );
  };
  return {
    onMissed(scheduledAt) {
      if (pending) {
        pending.count += 1;
        pending.last = scheduledAt;
      } else {
        pending = { count: 1, first: scheduledAt, last: scheduledAt };
      }
      timer ??= setImmediate(flush);
    },
    flush,
  };
}
