import { setTimeout as sleep } from 'node:timers/promises';
import type { PublishResult, RecordedChange } from '@changeflow/outbox';
import { type Percentiles, percentiles } from '../support/percentiles.js';
import { progress } from '../support/progress.js';

/** A sample over this is part of a stall episode (the p99 target). */
export const STALL_THRESHOLD_MS = 100;

/** How often the open loop wakes to start the writes that are due. */
const TICK_MS = 5;

/** One change's way from commit to SNS acknowledgement. */
export interface LatencySample {
  /** When its transaction committed, on this process's monotonic clock (ms). */
  readonly committedAtMs: number;
  /** Commit -> the publisher's answer that SNS accepted it. */
  readonly latencyMs: number;
}

/** Runs of consecutive samples (in commit order) over {@link STALL_THRESHOLD_MS}. */
interface StallEpisodes {
  readonly count: number;
  /** First slow commit -> last slow acknowledgement of the longest run; 0 when there is none. */
  readonly longestMs: number;
  /** Samples over the threshold, in all episodes. */
  readonly slowSamples: number;
}

/** What one steady rate measured. */
export interface SteadyRateFigures {
  readonly ratePerSecond: number;
  /** Changes SNS accepted per second of the run (the writes kept up if this is about the rate). */
  readonly achievedPerSecond: number;
  readonly latencyMs: Percentiles;
  readonly stalls: StallEpisodes;
  /** Changes the publisher gave up on (left for the sweeper). */
  readonly failed: number;
}

/** How a steady run writes and publishes one change: each call its own transaction. */
export interface SteadyRateWork {
  /** Commits one transaction recording one change. */
  commit(index: number): Promise<RecordedChange[]>;
  /** The fast path for the committed change; resolves when SNS answered. */
  publish(changes: RecordedChange[]): Promise<PublishResult>;
}

/**
 * Open loop at `ratePerSecond` for `seconds`: write i starts at start + i / rate however long the earlier
 * ones take, so a stall shows in the latencies instead of slowing the writers down.
 */
export async function measureSteadyRate(
  work: SteadyRateWork,
  options: { ratePerSecond: number; seconds: number; signal: AbortSignal },
): Promise<SteadyRateFigures> {
  const samples: LatencySample[] = [];
  const running: Promise<void>[] = [];
  const total = Math.round(options.ratePerSecond * options.seconds);
  let failed = 0;
  const started = performance.now();
  let next = 0;
  while (next < total && !options.signal.aborted) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * options.ratePerSecond) + 1);
    for (; next < due; next += 1) {
      const index = next;
      running.push(
        (async () => {
          const rows = await work.commit(index);
          const committedAtMs = performance.now();
          const result = await work.publish(rows);
          if (result.failed.length > 0) failed += result.failed.length;
          else samples.push({ committedAtMs, latencyMs: performance.now() - committedAtMs });
        })(),
      );
    }
    await sleep(TICK_MS);
  }
  await Promise.all(running);
  const seconds = (performance.now() - started) / 1000;
  const figures: SteadyRateFigures = {
    ratePerSecond: options.ratePerSecond,
    achievedPerSecond: samples.length / seconds,
    latencyMs: percentiles(samples.map((sample) => sample.latencyMs)),
    stalls: stallEpisodes(samples),
    failed,
  };
  progress(
    `outbox: ${options.ratePerSecond}/s: p50 ${figures.latencyMs.p50.toFixed(1)} ms, p99 ${figures.latencyMs.p99.toFixed(1)} ms, ` +
      `${figures.stalls.count} stall episodes (longest ${figures.stalls.longestMs.toFixed(0)} ms)`,
  );
  return figures;
}

/**
 * Groups the samples over {@link STALL_THRESHOLD_MS} into episodes: maximal runs of consecutive slow
 * samples in commit order. One slow sample alone is an episode too: a tail is a tail.
 */
export function stallEpisodes(samples: readonly LatencySample[]): StallEpisodes {
  const ordered = [...samples].sort((a, b) => a.committedAtMs - b.committedAtMs);
  let count = 0;
  let longestMs = 0;
  let slowSamples = 0;
  let episodeStart: number | undefined;
  let episodeEnd = 0;
  const close = () => {
    if (episodeStart !== undefined) longestMs = Math.max(longestMs, episodeEnd - episodeStart);
    episodeStart = undefined;
  };
  for (const sample of ordered) {
    if (sample.latencyMs <= STALL_THRESHOLD_MS) {
      close();
      continue;
    }
    slowSamples += 1;
    if (episodeStart === undefined) {
      count += 1;
      episodeStart = sample.committedAtMs;
      episodeEnd = 0;
    }
    episodeEnd = Math.max(episodeEnd, sample.committedAtMs + sample.latencyMs);
  }
  close();
  return { count, longestMs, slowSamples };
}

/** One rate's figures under keys that carry the rate: `latency250P99Ms`, `latency250StallEpisodes`. */
export function steadyRateFigures(figures: SteadyRateFigures): Record<string, number> {
  const prefix = `latency${figures.ratePerSecond}`;
  return {
    [`${prefix}AchievedPerSecond`]: figures.achievedPerSecond,
    [`${prefix}Samples`]: figures.latencyMs.count,
    [`${prefix}Failed`]: figures.failed,
    [`${prefix}P50Ms`]: figures.latencyMs.p50,
    [`${prefix}P95Ms`]: figures.latencyMs.p95,
    [`${prefix}P99Ms`]: figures.latencyMs.p99,
    [`${prefix}MaxMs`]: figures.latencyMs.max,
    [`${prefix}StallEpisodes`]: figures.stalls.count,
    [`${prefix}LongestStallMs`]: figures.stalls.longestMs,
    [`${prefix}SlowSamples`]: figures.stalls.slowSamples,
  };
}
