import { parseOptions } from '@changeflow/errors';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { ConsumerMetrics } from './metrics.js';
import { deleteOldFailedMessages } from './queries/delete-old-failed-messages.js';
import type { ConsumerDatabase } from './schema.js';

export const failedMessagesRetentionOptionsSchema = z.object({
  /**
   * Rows of `failed_messages` whose last failure is older than this are deleted, dead-lettered or
   * not (SQS keeps a message 14 days at most, so by then the row is history). 0 keeps them for ever.
   * @defaultValue 2592000000 (30 days)
   */
  retentionMs: z
    .number()
    .int()
    .nonnegative()
    .default(30 * 24 * 60 * 60 * 1000),
});

export type FailedMessagesRetentionOptions = z.input<typeof failedMessagesRetentionOptionsSchema>;

/**
 * The step of the outbox's retention job that deletes old `failed_messages` rows, in the job's
 * bounded batches and under its semaphore slot, so one job prunes both packages' tables:
 *
 * @example
 * const step = failedMessagesRetentionStep({ db, metrics: runtime.metrics }, { retentionMs: 30 * DAY_MS });
 * outbox.createRetention(semaphore, { retentionMs: 7 * DAY_MS }, [step]).start();
 */
export function failedMessagesRetentionStep<DB extends ConsumerDatabase>(
  deps: { db: Kysely<DB>; metrics: ConsumerMetrics },
  options: FailedMessagesRetentionOptions = {},
): { what: string; deleteBatch(limit: number): Promise<number> } {
  const { retentionMs } = parseOptions(
    failedMessagesRetentionOptionsSchema,
    options,
    'failed-messages retention options',
  );
  return {
    what: 'failed-message records',
    async deleteBatch(limit) {
      if (retentionMs === 0) return 0;
      const count = await deleteOldFailedMessages(deps.db, retentionMs, limit);
      deps.metrics.failedMessagesDeleted.inc(count);
      return count;
    },
  };
}
