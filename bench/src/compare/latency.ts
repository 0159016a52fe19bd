import { setTimeout as sleep } from 'node:timers/promises';
import { percentiles } from '../support/percentiles.js';
import { progress } from '../support/progress.js';

/** A write whose commit time is known when it resolves, with a promise of its SNS acknowledgement time. */
export type TimedWrite = (id: number) => Promise<{ committedAt: number; acked: Promise<number> }>;

export interface LatencyFigures {
  /** Commits per second the open loop achieved in the window. */
  committedPerSecond: number;
  /** Acknowledgements per second received in the window: below the rate, the publisher fell behind. */
  ackedInWindowPerSecond: number;
  samples: number;
  /** Writes that failed (an error, not a slow answer). */
  failed: number;
  /** Committed but not acknowledged within the wait after the window. */
  notAcked: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

const TICK_MS = 10;

/**
 * Writes open loop at `rate` per second for `seconds` (write i, id `firstId + i`, at start + i / rate,
 * however long earlier ones take), then waits up to `waitMs` for every acknowledgement. Latency is commit answered ->
 * SNS acknowledged, in this process's monotonic clock.
 */
export async function measureCommitToAck(
  write: TimedWrite,
  options: { rate: number; seconds: number; waitMs: number; firstId: number; signal: AbortSignal },
): Promise<LatencyFigures> {
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  const total = Math.round(options.rate * options.seconds);
  let committed = 0;
  let failed = 0;
  let ackedInWindow = 0;
  let windowOpen = true;
  const send = (id: number) =>
    pending.push(
      (async () => {
        const { committedAt, acked } = await write(id).catch((err: unknown) => {
          if (failed === 0) progress(`a write failed (the first of the run): ${String(err)}`);
          failed += 1;
          return { committedAt: Number.NaN, acked: Promise.resolve(Number.NaN) };
        });
        if (Number.isNaN(committedAt)) return;
        if (windowOpen) committed += 1;
        const ackedAt = await acked;
        if (Number.isFinite(ackedAt)) {
          latencies.push(Math.max(0, ackedAt - committedAt));
          if (windowOpen) ackedInWindow += 1;
        }
      })(),
    );
  const started = performance.now();
  for (let i = 0; i < total && !options.signal.aborted; ) {
    const elapsedMs = performance.now() - started;
    for (; i < total && (i * 1000) / options.rate <= elapsedMs; i += 1) send(options.firstId + i);
    const untilNextMs = (i * 1000) / options.rate - (performance.now() - started);
    if (untilNextMs > 0) await sleep(Math.min(TICK_MS, untilNextMs));
  }
  const windowSeconds = (performance.now() - started) / 1000;
  windowOpen = false;
  const everything = Promise.all(pending);
  await Promise.race([everything, sleep(options.waitMs, undefined, { ref: false })]);
  const spread = percentiles(latencies);
  return {
    committedPerSecond: committed / windowSeconds,
    ackedInWindowPerSecond: ackedInWindow / windowSeconds,
    samples: latencies.length,
    failed,
    notAcked: pending.length - latencies.length - failed,
    p50Ms: spread.p50,
    p99Ms: spread.p99,
    maxMs: spread.max,
  };
}
