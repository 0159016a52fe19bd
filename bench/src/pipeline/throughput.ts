import type { Kysely } from 'kysely';
import { type Percentiles, percentiles } from '../support/percentiles.js';
import { showProgress } from '../support/progress.js';
import { runTogether } from '../support/run-together.js';
import { type GmcBlock, gmcDoctorBody, gmcNumberOf, gmcRangeOf } from './gmc-records.js';
import { ndjsonOf, type WriteClient, type WriteTiming } from './http-writes.js';
import { waitForProjected } from './index-visibility.js';

/**
 * Sustained throughput from write to index: `clients` concurrent HTTP clients write `records` fresh
 * GMC doctors as fast as the service takes them, while the benchmark counts their master rows in the
 * index. Bodies are built before the clock starts, so the client's own JSON work is not measured.
 */

/** What a throughput run writes to and watches. */
export interface ThroughputTarget {
  readonly client: WriteClient;
  /** The cluster's database (any schema: the index schema is named in every query). */
  readonly db: Kysely<unknown>;
  readonly indexSchema: string;
  /** Concurrent clients: each sends its next request when its last one was answered. */
  readonly clients: number;
  /** Longest wait, from the first write, for every record to reach the index. */
  readonly maxSeconds: number;
  readonly signal: AbortSignal;
}

/** The figures of one throughput run. */
export interface ThroughputResult {
  readonly records: number;
  readonly requests: number;
  /** Records the service accepted / first request sent -> last answer. */
  readonly acceptedChangesPerSecond: number;
  /** Records seen in the index / first request sent -> the poll that saw the last of them. */
  readonly endToEndChangesPerSecond: number;
  readonly writeMs: number;
  readonly endToEndMs: number;
  /** Last answer -> last record seen in the index: how far projection trailed the writes. */
  readonly indexLagMs: number;
  /** Master rows of the run's records in the index when the wait ended. */
  readonly visible: number;
  /** Every record reached the index within `maxSeconds`. */
  readonly completed: boolean;
  /** Request sent -> answer, per request, ms. */
  readonly requestMs: Percentiles;
}

/** Polls for the index this often: cheap (one primary-key range count), and the end's resolution. */
const COUNT_POLL_MS = 50;

/** NDJSON imports of `linesPerRequest` lines each; the service commits them in BULK_BATCH_SIZE batches. */
export async function measureImports(
  target: ThroughputTarget,
  options: { block: GmcBlock; records: number; linesPerRequest: number; label: string },
): Promise<ThroughputResult> {
  const bodies: string[] = [];
  for (let start = 0; start < options.records; start += options.linesPerRequest) {
    const end = Math.min(options.records, start + options.linesPerRequest);
    const records = Array.from({ length: end - start }, (_, i) => gmcDoctorBody(gmcNumberOf(options.block, start + i)));
    bodies.push(ndjsonOf(records));
  }
  return measure(target, options, bodies.length, async (index, signal) => {
    const answer = await target.client.importGmcDoctors(bodies[index] ?? '', signal);
    if (answer.rejected > 0 || answer.accepted !== answer.received) {
      throw new Error(
        `the import rejected ${answer.rejected} of ${answer.received} lines (first: ${JSON.stringify(answer.errors[0])})`,
      );
    }
    return { timing: answer, changes: answer.accepted };
  });
}

/** One `PUT` per record: one transaction and one change each. */
export async function measureSingleWrites(
  target: ThroughputTarget,
  options: { block: GmcBlock; records: number; label: string },
): Promise<ThroughputResult> {
  const numbers = Array.from({ length: options.records }, (_, i) => gmcNumberOf(options.block, i));
  const bodies = numbers.map((gmc) => JSON.stringify(gmcDoctorBody(gmc)));
  return measure(target, options, options.records, async (index, signal) => ({
    timing: await target.client.putGmcDoctor(numbers[index] ?? '', bodies[index] ?? '', signal),
    changes: 1,
  }));
}

async function measure(
  target: ThroughputTarget,
  options: { block: GmcBlock; records: number; label: string },
  requests: number,
  send: (index: number, signal: AbortSignal) => Promise<{ timing: WriteTiming; changes: number }>,
): Promise<ThroughputResult> {
  const range = gmcRangeOf(options.block, options.records);
  const requestMs: number[] = [];
  let accepted = 0;
  let visible = 0;
  let lastAnsweredAt = Number.NaN;
  const stopWaiting = new AbortController();
  const stopProgress = showProgress(
    () => `pipeline: ${options.label}: ${accepted} of ${options.records} accepted, ${visible} in the index`,
  );
  const started = performance.now();
  const projected = waitForProjected(target.db, target.indexSchema, range, {
    deadline: started + target.maxSeconds * 1000,
    pollIntervalMs: COUNT_POLL_MS,
    signal: AbortSignal.any([target.signal, stopWaiting.signal]),
    onCount: (count) => {
      visible = count;
    },
  });
  let wait: Awaited<typeof projected>;
  try {
    let next = 0;
    await runTogether(target.clients, target.signal, async (_copy, signal) => {
      for (let index = next++; index < requests && !signal.aborted; index = next++) {
        const { timing, changes } = await send(index, signal);
        requestMs.push(timing.answeredAt - timing.sentAt);
        accepted += changes;
        lastAnsweredAt = Number.isNaN(lastAnsweredAt) ? timing.answeredAt : Math.max(lastAnsweredAt, timing.answeredAt);
      }
    });
    wait = await projected;
  } catch (err) {
    stopWaiting.abort();
    await projected.catch(() => {});
    throw err;
  } finally {
    stopProgress();
  }
  const writeMs = lastAnsweredAt - started;
  const endToEndMs = wait.seenAt - started;
  return {
    records: options.records,
    requests,
    acceptedChangesPerSecond: accepted / (writeMs / 1000),
    endToEndChangesPerSecond: wait.completed ? wait.count / (endToEndMs / 1000) : Number.NaN,
    writeMs,
    endToEndMs: wait.completed ? endToEndMs : Number.NaN,
    indexLagMs: wait.completed ? wait.seenAt - lastAnsweredAt : Number.NaN,
    visible: wait.count,
    completed: wait.completed,
    requestMs: percentiles(requestMs),
  };
}
