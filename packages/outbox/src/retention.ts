import { parseOptions } from '@changeflow/errors';
import {
  createScheduledJob,
  defaultHolder,
  type JobContext,
  type ScheduledJob,
  type Semaphore,
} from '@changeflow/semaphore';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { OutboxMetrics } from './metrics.js';
import { deletePublished } from './queries/delete-published.js';
import type { OutboxDatabase } from './schema.js';

export const retentionOptionsSchema = z.object({
  /**
   * node-cron expression of the retention run.
   * @defaultValue '*\/5 * * * *' (every five minutes)
   */
  schedule: z.string().default('*/5 * * * *'),
  /**
   * Published changes recorded longer ago than this are deleted. Unpublished ones never are.
   * @defaultValue 604800000 (7 days)
   */
  retentionMs: z
    .number()
    .int()
    .nonnegative()
    .default(7 * 24 * 60 * 60 * 1000),
  /**
   * Rows deleted per statement, so no delete holds locks or bloats WAL for long.
   * @defaultValue 5000
   */
  batchSize: z.number().int().positive().max(100_000).default(5000),
  /**
   * Batches per run at most; the next run goes on.
   * @defaultValue 100
   */
  maxBatchesPerRun: z.number().int().positive().default(100),
  /** @defaultValue 60000 */
  leaseMs: z.number().int().positive().default(60_000),
  /** @defaultValue `<hostname>:<pid>` */
  holder: z.string().min(1).optional(),
});

export type RetentionOptions = z.input<typeof retentionOptionsSchema>;

/** Retention: a {@link ScheduledJob} whose `runOnce` deletes old published changes. */
export type Retention = ScheduledJob;

/**
 * Old rows of a table another package owns that the same retention run deletes, after the
 * published changes: the consumer's `failed_messages` (`failedMessagesRetentionStep`). The outbox
 * knows no such table itself, so a write service that has only `changes` prunes only those.
 */
export interface RetentionStep {
  /** What the rows are, for the log line, e.g. `failed-message records`. */
  what: string;
  /** Deletes at most `limit` rows old enough to go and says how many it deleted. */
  deleteBatch(limit: number): Promise<number>;
}

/**
 * Creates the retention job: deletes published changes older than `retentionMs`, then runs each of
 * `steps`, all in bounded batches.
 */
export function createRetention(
  deps: {
    db: Kysely<OutboxDatabase>;
    semaphore: Semaphore;
    logger: Logger;
    metrics: OutboxMetrics;
    steps?: readonly RetentionStep[];
  },
  options: RetentionOptions = {},
): Retention {
  const resolved = parseOptions(retentionOptionsSchema, options, 'retention options');
  const log = deps.logger.child({ component: 'outbox-retention' });
  /** Runs `deleteBatch` until a batch comes back short, the run's batches are spent, or it is stopped. */
  const inBatches = async (signal: AbortSignal, deleteBatch: () => Promise<number>) => {
    let deleted = 0;
    for (let batch = 0; batch < resolved.maxBatchesPerRun && !signal.aborted; batch += 1) {
      const count = await deleteBatch();
      deleted += count;
      if (count < resolved.batchSize) break;
    }
    return deleted;
  };
  const prune = async ({ signal }: JobContext) => {
    const changes = await inBatches(signal, async () => {
      const count = await deletePublished(deps.db, resolved.retentionMs, resolved.batchSize);
      deps.metrics.changesDeleted.inc(count);
      return count;
    });
    if (changes > 0) log.info({ changes }, 'retention deleted published changes');
    for (const step of deps.steps ?? []) {
      const rows = await inBatches(signal, () => step.deleteBatch(resolved.batchSize));
      if (rows > 0) log.info({ rows, what: step.what }, 'retention deleted old rows');
    }
  };
  return createScheduledJob(
    { semaphore: deps.semaphore, logger: deps.logger },
    {
      name: 'outbox-retention',
      schedule: resolved.schedule,
      leaseMs: resolved.leaseMs,
      holder: resolved.holder ?? defaultHolder(),
      run: prune,
    },
  );
}
