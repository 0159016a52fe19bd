import { setTimeout as sleep } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import { type Percentiles, percentiles } from '../support/percentiles.js';
import { progress, showProgress } from '../support/progress.js';
import { type GmcBlock, gmcDoctorBody, gmcNumberOf } from './gmc-records.js';
import type { WriteClient } from './http-writes.js';
import { watchProjections } from './index-visibility.js';

/**
 * Latency from commit to index at a steady rate. Writes are `PUT`s of fresh GMC doctors, one
 * transaction each, sent open-loop: write i is due at start + i / rate and is sent then, however
 * long earlier ones take, so a slow answer never thins the schedule (coordinated omission).
 *
 * The commit itself is not observable from outside (track_commit_timestamp is off), and neither is
 * the projection's commit, so each write's commit -> index time is bracketed:
 * - lower bound: `projected_at` − answer. The commit happened before the answer arrived, and
 *   `projected_at` is the projection transaction's `now()`, its start, before its rows were visible.
 * - upper bound: first sighting − request sent. The commit happened after the request was sent,
 *   and the poll that first returned the row answered after it became visible (late by up to one
 *   poll interval, 10 ms, and one query).
 * Between them, first sighting − answer is what a writer sees: from the moment it knows its write
 * committed until the index shows it. It excludes the time the write waited in the service, which
 * dominates the upper bound once the service is near its capacity.
 * `projected_at` is the database's clock and the others this process's; both are this machine's.
 */

/** What a steady-rate run writes to and watches. */
export interface SteadyRateTarget {
  readonly client: WriteClient;
  readonly db: Kysely<unknown>;
  readonly indexSchema: string;
  /** Longest wait after the last write for the stragglers to reach the index. */
  readonly drainSeconds: number;
  readonly signal: AbortSignal;
}

/** The figures of one steady-rate run. */
export interface SteadyRateResult {
  readonly ratePerSecond: number;
  /** Writes answered 2xx / first due -> last answer. */
  readonly achievedPerSecond: number;
  readonly writes: number;
  readonly failed: number;
  /** Sending stopped early: more than {@link OVERLOAD_SECONDS} of writes were waiting for an answer. */
  readonly overloaded: boolean;
  /** Answered writes whose row did not reach the index within the drain. */
  readonly notSeen: number;
  /** Request sent -> answer (the HTTP write, commit included), ms. */
  readonly writeMs: Percentiles;
  /** Due -> sent: how far this process fell behind its own schedule, ms. */
  readonly scheduleLagMs: Percentiles;
  /** `projected_at` − answer, ms: the lower bound of commit -> index. */
  readonly commitToIndexLowerMs: Percentiles;
  /** First sighting − request sent, ms: the upper bound of commit -> index. */
  readonly requestToSeenMs: Percentiles;
  /** First sighting − answer, ms: from the moment the writer knows it committed until it can read it. */
  readonly answerToSeenMs: Percentiles;
  /** Writes answered but not yet in the index halfway through the answers (by answer time). */
  readonly backlogMidway: number;
  /** The same when the last write was answered. */
  readonly backlogAtEnd: number;
  /**
   * The backlog grew over the run: at the end it exceeded twice its midway size plus 100 ms of
   * writes. A pipeline that keeps up holds a backlog of about rate × lag, the same at both points.
   */
  readonly isBacklogGrowing: boolean;
}

/** Between two looks for the watched rows: the upper bound's resolution. */
const SIGHTING_POLL_MS = 10;
/**
 * Open-loop sending stops once more than this many seconds of writes wait for their answers: the
 * service cannot keep up with the rate, every later write would only queue, and the run must end.
 * The figures then describe the writes sent, and `overloaded` says the rate was not sustained.
 */
const OVERLOAD_SECONDS = 2;
/** Connections for the open-loop writes: enough that answers taking 60 ms never queue at 2,000/s. */
export const STEADY_RATE_SOCKETS = 128;

/** Sends `ratePerSecond` × `seconds` writes on schedule and brackets each one's commit -> index time. */
export async function measureSteadyRate(
  target: SteadyRateTarget,
  options: { block: GmcBlock; ratePerSecond: number; seconds: number; label: string },
): Promise<SteadyRateResult> {
  const total = options.ratePerSecond * options.seconds;
  const numbers = Array.from({ length: total }, (_, i) => gmcNumberOf(options.block, i));
  const bodies = numbers.map((gmc) => JSON.stringify(gmcDoctorBody(gmc)));
  const epochOffsetMs = epochOffset();
  const watch = watchProjections(target.db, target.indexSchema, {
    pollIntervalMs: SIGHTING_POLL_MS,
    signal: target.signal,
  });
  const answered = new Map<string, { sentAt: number; answeredAt: number }>();
  const scheduleLag: number[] = [];
  const writes: Promise<void>[] = [];
  let failed = 0;
  let overloaded = false;
  let firstFailure: unknown;
  const stopProgress = showProgress(
    () =>
      `pipeline: ${options.label}: ${writes.length} of ${total} sent, ${answered.size} answered, ` +
      `${failed} failed, ${watch.sightings.size} in the index`,
  );
  const started = performance.now();
  try {
    const intervalMs = 1000 / options.ratePerSecond;
    const maxWaiting = Math.max(1, options.ratePerSecond * OVERLOAD_SECONDS);
    let next = 0;
    while (next < total && !target.signal.aborted) {
      if (next - answered.size - failed > maxWaiting) {
        overloaded = true;
        break;
      }
      const due = Math.min(total, Math.floor((performance.now() - started) / intervalMs) + 1);
      for (; next < due; next += 1) {
        const gmc = numbers[next] ?? '';
        scheduleLag.push(performance.now() - (started + next * intervalMs));
        watch.watch(gmc);
        writes.push(
          target.client.putGmcDoctor(gmc, bodies[next] ?? '', target.signal).then(
            (timing) => {
              answered.set(gmc, timing);
            },
            (err: unknown) => {
              failed += 1;
              firstFailure ??= err;
            },
          ),
        );
      }
      await sleep(Math.max(0, started + next * intervalMs - performance.now()));
    }
    await Promise.all(writes);
    await watch.settled(performance.now() + target.drainSeconds * 1000);
  } finally {
    stopProgress();
    await watch.stop();
  }
  if (failed > 0 && answered.size === 0) throw firstFailure;
  if (overloaded) {
    progress(
      `pipeline: ${options.label}: stopped sending after ${writes.length} writes: the service fell ${OVERLOAD_SECONDS} s behind`,
    );
  }
  if (failed > 0) progress(`pipeline: ${options.label}: ${failed} writes failed, the first: ${String(firstFailure)}`);

  const lower: number[] = [];
  const upper: number[] = [];
  const answerToSeen: number[] = [];
  let lastAnsweredAt = started;
  for (const [gmc, timing] of answered) {
    lastAnsweredAt = Math.max(lastAnsweredAt, timing.answeredAt);
    const sighting = watch.sightings.get(gmc);
    if (!sighting) continue;
    lower.push(sighting.projectedAtEpochMs - (timing.answeredAt + epochOffsetMs));
    upper.push(sighting.seenAt - timing.sentAt);
    answerToSeen.push(sighting.seenAt - timing.answeredAt);
  }
  const answerTimes = [...answered.values()].map((timing) => timing.answeredAt).sort((a, b) => a - b);
  const backlogAt = (at: number) => {
    let waiting = 0;
    for (const [gmc, timing] of answered) {
      const seenAt = watch.sightings.get(gmc)?.seenAt ?? Number.POSITIVE_INFINITY;
      if (timing.answeredAt <= at && seenAt > at) waiting += 1;
    }
    return waiting;
  };
  const backlogMidway = backlogAt(answerTimes[Math.floor(answerTimes.length / 2)] ?? started);
  const backlogAtEnd = backlogAt(lastAnsweredAt);
  return {
    ratePerSecond: options.ratePerSecond,
    achievedPerSecond: answered.size / ((lastAnsweredAt - started) / 1000),
    writes: writes.length,
    failed,
    overloaded,
    notSeen: answered.size - upper.length,
    writeMs: percentiles([...answered.values()].map((t) => t.answeredAt - t.sentAt)),
    scheduleLagMs: percentiles(scheduleLag),
    commitToIndexLowerMs: percentiles(lower),
    requestToSeenMs: percentiles(upper),
    answerToSeenMs: percentiles(answerToSeen),
    backlogMidway,
    backlogAtEnd,
    isBacklogGrowing: backlogAtEnd > 2 * backlogMidway + options.ratePerSecond * 0.1,
  };
}

/**
 * Epoch ms minus `performance.now()`, to put this process's times on the database's clock. Read
 * at the moment `Date.now()` ticks over, so the offset is good to well under a millisecond (beside
 * `performance.timeOrigin`, which drifts from the wall clock as the process ages).
 */
function epochOffset(): number {
  const before = Date.now();
  let now = Date.now();
  // Bounded: Date.now() ticks every millisecond.
  while (now === before) now = Date.now();
  return now - performance.now();
}
