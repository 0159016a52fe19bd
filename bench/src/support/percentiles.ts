/** The spread of a sample: count, extremes, mean and the percentiles benchmarks report. */
export interface Percentiles {
  readonly count: number;
  readonly min: number;
  readonly mean: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/**
 * The `p`-th percentile (0 < p ≤ 100) of samples already sorted ascending, by the nearest-rank method:
 * always one of the samples, never an interpolation between two. `NaN` for no samples.
 */
export function percentileOfSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

/**
 * Summarises a sample (in any unit; the caller's unit is kept). Every figure is `NaN` when there are
 * no samples, which {@link report} prints as `n/a` and writes to JSON as `null`.
 *
 * @example
 * const { p50, p99 } = percentiles([3.1, 2.4, 9.8]);
 */
export function percentiles(samples: readonly number[]): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((total, value) => total + value, 0);
  return {
    count: sorted.length,
    min: sorted[0] ?? Number.NaN,
    mean: sorted.length === 0 ? Number.NaN : sum / sorted.length,
    p50: percentileOfSorted(sorted, 50),
    p95: percentileOfSorted(sorted, 95),
    p99: percentileOfSorted(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
  };
}
