import { setTimeout as sleep } from 'node:timers/promises';
import { type Kysely, sql } from 'kysely';
import type { GmcRange } from './gmc-records.js';

/**
 * How the benchmark sees writes reach the index: it reads the `master` table of the cluster's index
 * store, where every GMC doctor written here becomes one row (its GMC numbers are fresh, see
 * `gmc-records.ts`). These reads are primary-key lookups, cheap beside the work they observe.
 */

/** Rows of `master` in `range` (a primary-key range scan). */
async function countProjected(db: Kysely<unknown>, indexSchema: string, range: GmcRange): Promise<number> {
  const { rows } = await sql<{ count: string }>`
    select count(*) as count from ${sql.id(indexSchema, 'master')}
    where gmc_reference_number between ${range.first} and ${range.last}`.execute(db);
  return Number(rows[0]?.count ?? 0);
}

/** How waiting for a range to be projected ended. */
export interface ProjectedWait {
  /** Rows seen by the last poll. */
  readonly count: number;
  /** Every row of the range was seen. */
  readonly completed: boolean;
  /** `performance.now()` when the answer that first showed the last row arrived (or the last poll). */
  readonly seenAt: number;
}

/**
 * Polls {@link countProjected} every `pollIntervalMs` until all `range.count` rows are there, `signal`
 * aborts, or `deadline` (a `performance.now()` time) passes. `seenAt` is late by up to one interval
 * and one query, never early: every figure built on it is an upper bound.
 */
export async function waitForProjected(
  db: Kysely<unknown>,
  indexSchema: string,
  range: GmcRange,
  options: { deadline: number; pollIntervalMs: number; signal: AbortSignal; onCount?: (count: number) => void },
): Promise<ProjectedWait> {
  let count = 0;
  while (true) {
    count = await countProjected(db, indexSchema, range);
    const seenAt = performance.now();
    options.onCount?.(count);
    if (count >= range.count) return { count, completed: true, seenAt };
    if (options.signal.aborted || seenAt >= options.deadline) return { count, completed: false, seenAt };
    await sleep(options.pollIntervalMs);
  }
}

/** When one GMC number's master row was first seen, and the `projected_at` it had then. */
interface Sighting {
  /** `performance.now()` when the poll that first returned the row answered. */
  readonly seenAt: number;
  /** `projected_at` (epoch ms): the start of the projection's transaction, by the database clock. */
  readonly projectedAtEpochMs: number;
}

/** Watches GMC numbers until each has its master row; see {@link watchProjections}. */
export interface ProjectionWatch {
  /** Starts looking for this GMC number's row (call it before the write is sent). */
  watch(gmcReferenceNumber: string): void;
  /** First sightings so far, by GMC number. */
  readonly sightings: ReadonlyMap<string, Sighting>;
  /** GMC numbers watched and not yet seen. */
  readonly unseen: number;
  /** Resolves once every watched number was seen, or at `deadline` (`performance.now()`), or on abort. */
  settled(deadline: number): Promise<void>;
  /** Ends the polling loop and waits for it. */
  stop(): Promise<void>;
}

/** GMC numbers one poll asks for at most, oldest first (a backlog is looked for in turn). */
const NUMBERS_PER_POLL = 2_000;

/**
 * Polls `master` every `pollIntervalMs` for the watched GMC numbers not seen yet (one `= any(…)`
 * primary-key lookup of at most 2,000 numbers) and notes when each first appears and its
 * `projected_at` at that moment. Taking `projected_at` from the first sighting measures the first
 * projection: a projection deletes and reinserts the row, so a duplicate delivery projected later
 * would move `projected_at` later if it were read after the phase.
 */
export function watchProjections(
  db: Kysely<unknown>,
  indexSchema: string,
  options: { pollIntervalMs: number; signal: AbortSignal },
): ProjectionWatch {
  const unseen = new Set<string>();
  const sightings = new Map<string, Sighting>();
  const stopped = new AbortController();
  const signal = AbortSignal.any([options.signal, stopped.signal]);

  const poll = async () => {
    const wanted = [...takeFirst(unseen, NUMBERS_PER_POLL)];
    if (wanted.length === 0) return;
    const { rows } = await sql<{ gmc: string; projected_ms: number }>`
      select gmc_reference_number as gmc, extract(epoch from projected_at)::float8 * 1000 as projected_ms
      from ${sql.id(indexSchema, 'master')} where gmc_reference_number = any(${wanted}::text[])`.execute(db);
    const seenAt = performance.now();
    for (const row of rows) {
      unseen.delete(row.gmc);
      sightings.set(row.gmc, { seenAt, projectedAtEpochMs: Number(row.projected_ms) });
    }
  };
  // A failed poll ends the loop; settled() and stop() rethrow it, so no rejection goes unhandled.
  let failure: { error: unknown } | undefined;
  const loop = (async () => {
    try {
      while (!signal.aborted) {
        await poll();
        await sleep(options.pollIntervalMs);
      }
    } catch (error) {
      failure = { error };
    }
  })();
  const rethrow = () => {
    if (failure) throw failure.error;
  };

  return {
    watch: (gmc) => {
      if (!sightings.has(gmc)) unseen.add(gmc);
    },
    sightings,
    get unseen() {
      return unseen.size;
    },
    async settled(deadline) {
      while (unseen.size > 0 && !signal.aborted && performance.now() < deadline) {
        rethrow();
        await sleep(options.pollIntervalMs);
      }
      rethrow();
    },
    async stop() {
      stopped.abort();
      await loop;
      rethrow();
    },
  };
}

function* takeFirst<T>(items: Iterable<T>, count: number): Generator<T> {
  let taken = 0;
  for (const item of items) {
    if (taken >= count) return;
    taken += 1;
    yield item;
  }
}
