import { explainPostgresError, UsageError } from '@changeflow/errors';
import type { Kysely } from 'kysely';
import type { Progress } from './progress.js';
import type { Publisher } from './publisher.js';
import { countChanges } from './queries/count-changes.js';
import { type ChangeLogFilter, listChanges } from './queries/list-changes.js';
import { createRateLimiter, waitForRate } from './rate-limiter.js';
import type { OutboxDatabase } from './schema.js';

/** What a republish works with. */
export interface RepublishDependencies {
  db: Kysely<OutboxDatabase>;
  databaseUrl: string;
  /** The outbox's publisher (`createOutbox(…).publisher`): groups by type, packs messages, marks published. */
  publisher: Publisher;
  progress: Progress;
  /** Aborting stops after the chunk in hand; the result says where to resume. */
  signal?: AbortSignal;
}

export interface RepublishOptions {
  /** First change number, inclusive (a bigint as a decimal string). */
  from: string;
  /** Last change number, inclusive. */
  to?: string;
  objectType?: string;
  objectId?: string;
  /** Only changes recorded at or after this time. */
  since?: Date;
  /** Count what would be published and publish nothing. @defaultValue false */
  dryRun?: boolean;
  /** Changes per second at most. @defaultValue unlimited */
  ratePerSecond?: number;
  /**
   * Changes read from the change log per page.
   * @defaultValue 1000
   */
  pageSize?: number;
}

/** The result of a republish (`changeflow republish`, the console's change log). */
export interface RepublishResult {
  filter: { from: string; to: string | null; objectType: string | null; objectId: string | null; since: Date | null };
  dryRun: boolean;
  /** Changes in the range (counted before publishing). */
  matched: number;
  /** Changes SNS accepted (in a dry run: 0). */
  published: number;
  /**
   * Changes that had been published before this run: each reaches the workers again (a duplicate,
   * which handlers absorb, G4). After an interrupted run, these include what that run sent.
   */
  previouslyPublished: number;
  /** Changes SNS did not accept; the first few numbers are in `failedChangeNumbers`. */
  failed: number;
  failedChangeNumbers: string[];
  /** The last change number handled, or `null` when none was. */
  lastChangeNumber: string | null;
  /** Stopped by a signal: run again from `resumeFrom` to go on. */
  interrupted: boolean;
  resumeFrom: string | null;
}

/** Failed change numbers listed in the result at most. */
const MAX_LISTED_FAILURES = 20;

/**
 * Publishes changes again from the change log (DESIGN.md §1 step 7): pages through `changes` in
 * change-number order with `listChanges` and hands each chunk to the outbox's publisher, which groups
 * by object type and packs them into SNS messages. At-least-once: a run killed midway and run again
 * publishes everything (what the first run sent goes again, counted in `previouslyPublished`).
 */
export async function republishChanges(
  deps: RepublishDependencies,
  options: RepublishOptions,
): Promise<RepublishResult> {
  if (options.to !== undefined && BigInt(options.to) < BigInt(options.from)) {
    throw new UsageError(`--to ${options.to} is below --from ${options.from}: give a range from low to high`);
  }
  const pageSize = options.pageSize ?? 1000;
  const filter: ChangeLogFilter = {
    toChangeNumber: options.to,
    objectType: options.objectType,
    objectId: options.objectId,
    since: options.since,
  };
  const limiter = createRateLimiter(options.ratePerSecond);
  const chunkSize = limiter.batchSize(pageSize);
  const result: RepublishResult = {
    filter: {
      from: options.from,
      to: options.to ?? null,
      objectType: options.objectType ?? null,
      objectId: options.objectId ?? null,
      since: options.since ?? null,
    },
    dryRun: options.dryRun ?? false,
    matched: 0,
    published: 0,
    previouslyPublished: 0,
    failed: 0,
    failedChangeNumbers: [],
    lastChangeNumber: null,
    interrupted: false,
    resumeFrom: null,
  };
  try {
    result.matched = await countChanges(deps.db, { ...filter, fromChangeNumber: options.from });
    const task = deps.progress.start(options.dryRun ? 'counting changes' : 'republishing changes', result.matched);
    try {
      let cursor = options.from;
      pages: for (;;) {
        const page = await listChanges(deps.db, { ...filter, fromChangeNumber: cursor, limit: pageSize });
        for (let start = 0; start < page.length; start += chunkSize) {
          const chunk = page.slice(start, start + chunkSize);
          if (deps.signal?.aborted || !(await waitForRate(limiter, chunk.length, deps.signal))) {
            result.interrupted = true;
            result.resumeFrom = chunk[0]?.changeNumber ?? cursor;
            break pages;
          }
          result.previouslyPublished += chunk.filter((change) => change.publishedAt !== null).length;
          if (!options.dryRun) {
            const outcome = await deps.publisher.publish(chunk, 'sweep');
            result.published += outcome.published.length;
            result.failed += outcome.failed.length;
            const room = MAX_LISTED_FAILURES - result.failedChangeNumbers.length;
            if (room > 0) result.failedChangeNumbers.push(...outcome.failed.slice(0, room));
          }
          const last = chunk[chunk.length - 1];
          result.lastChangeNumber = last?.changeNumber ?? result.lastChangeNumber;
          task.increment(chunk.length, `up to #${result.lastChangeNumber}`);
        }
        const last = page[page.length - 1];
        if (!last || page.length < pageSize) break;
        cursor = (BigInt(last.changeNumber) + 1n).toString();
      }
      // The publisher stamps in groups after SNS answered; a CLI that exits now must not lose them.
      await deps.publisher.flushMarks();
    } finally {
      task.stop();
    }
  } catch (err) {
    throw explainPostgresError(err, deps.databaseUrl);
  }
  return result;
}
