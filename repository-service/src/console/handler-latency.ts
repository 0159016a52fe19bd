/** One worker's handler time, from its `changeflow_worker_handler_duration_seconds` histogram. */
export interface HandlerLatency {
  worker: string;
  /** Messages handled since the workers process started. */
  count: number;
  meanMs: number;
  /** The upper bound of the histogram bucket that holds the 95th percentile, in ms (`null`: above the last). */
  p95AtMostMs: number | null;
}

/** How long the console waits for the workers' metrics before showing the page without them. */
const SCRAPE_TIMEOUT_MS = 2_000;

const METRIC = 'changeflow_worker_handler_duration_seconds';
/** `name{labels} value` of the Prometheus text format (no timestamps: prom-client writes none). */
const SAMPLE = /^([a-z_:][a-z0-9_:]*)(?:\{([^}]*)\})?\s+(\S+)$/i;
const LABEL = /([a-z_][a-z0-9_]*)="((?:[^"\\]|\\.)*)"/gi;

/**
 * Reads the handler-duration histogram of one workers process from its admin `/metrics` and
 * summarises it per worker since that process started. Answers `{ error }` when the metrics cannot
 * be read, so the page says so instead of failing.
 */
export async function readHandlerLatency(
  metricsUrl: string,
): Promise<{ latencies: HandlerLatency[] } | { error: string }> {
  let text: string;
  try {
    const answer = await fetch(metricsUrl, { signal: AbortSignal.timeout(SCRAPE_TIMEOUT_MS) });
    if (!answer.ok) return { error: `${metricsUrl} answered ${answer.status}` };
    text = await answer.text();
  } catch (err) {
    return { error: `cannot read ${metricsUrl}: ${(err as Error).message}` };
  }
  const byWorker = new Map<string, { sum: number; count: number; buckets: Array<[number, number]> }>();
  for (const line of text.split('\n')) {
    const match = SAMPLE.exec(line.trim());
    if (!match?.[1]?.startsWith(METRIC)) continue;
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(LABEL)].map((label) => [label[1], label[2]]));
    const worker = labels.worker;
    if (worker === undefined) continue;
    const entry = byWorker.get(worker) ?? { sum: 0, count: 0, buckets: [] };
    const value = Number(match[3]);
    if (match[1] === `${METRIC}_sum`) entry.sum = value;
    else if (match[1] === `${METRIC}_count`) entry.count = value;
    else if (match[1] === `${METRIC}_bucket` && labels.le !== undefined) entry.buckets.push([Number(labels.le), value]);
    byWorker.set(worker, entry);
  }
  const latencies = [...byWorker].map(([worker, { sum, count, buckets }]) => {
    const p95 = buckets.sort((a, b) => a[0] - b[0]).find(([, cumulative]) => cumulative >= count * 0.95)?.[0];
    return {
      worker,
      count,
      meanMs: count > 0 ? (sum / count) * 1000 : 0,
      p95AtMostMs: p95 === undefined || !Number.isFinite(p95) ? null : Math.round(p95 * 1000),
    };
  });
  return { latencies };
}
