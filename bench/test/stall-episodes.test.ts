import { describe, expect, it } from 'vitest';
import { type LatencySample, STALL_THRESHOLD_MS, stallEpisodes } from '../src/outbox/steady-latency.js';

const slow = STALL_THRESHOLD_MS + 1;

describe('stallEpisodes', () => {
  it('groups consecutive slow samples in commit order, whatever order they were answered in', () => {
    const samples: LatencySample[] = [
      { committedAtMs: 30, latencyMs: slow },
      { committedAtMs: 0, latencyMs: 5 },
      { committedAtMs: 10, latencyMs: 400 },
      { committedAtMs: 20, latencyMs: 300 },
      { committedAtMs: 40, latencyMs: 2 },
      { committedAtMs: 50, latencyMs: slow },
    ];
    // 10..410 (the longest run: 10 -> 410, 20 -> 320, 30 -> 131), then 50 -> 151 alone.
    expect(stallEpisodes(samples)).toEqual({ count: 2, longestMs: 400, slowSamples: 4 });
  });

  it('counts nothing at or under the threshold', () => {
    expect(stallEpisodes([{ committedAtMs: 0, latencyMs: STALL_THRESHOLD_MS }])).toEqual({
      count: 0,
      longestMs: 0,
      slowSamples: 0,
    });
    expect(stallEpisodes([])).toEqual({ count: 0, longestMs: 0, slowSamples: 0 });
  });
});
