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
import type { Publisher } from './publisher.js';
import { findUnpublished, unpublishedStats } from './queries/find-unpublished.js';

import type { OutboxDatabase } from './schema.js';

export const sweeperOptionsSchema = z.object({
  /**
   * node-cron expression of the sweep; six fields give seconds.
   * @defaultValue '* * * * * *' (every second)
   */
  schedule: z.string().default('* * * * * *'),
  /**
   * How long a change may stay unpublished before the sweeper sends it: the fast path's head start.
   * G3's bound after a crash is about `graceMs` + one tick + one batch.
   * @defaultValue 5000
   */
  graceMs: z.number().int().nonnegative().default(5000),
  /**
   * Changes read and published per batch, oldest first.
   * @defaultValue 1000
   */
  batchSize: z.number().int().positive().max(50_000).default(1000),
  /**
   * Batches per run at most; the next tick goes on where this one stopped.
   * @defaultValue 50
   */
  maxBatchesPerRun: z.number().int().positive().default(50),
  /**
   * Lease on the cluster-wide sweeper slot; refreshed every third of it while a run lasts.
   * @defaultValue 30000
   */
  leaseMs: z.number().int().positive().default(30_000),
  /** Who holds the slot, for `holders()` and logs. @defaultValue `<hostname>:<pid>` */
  holder: z.string().min(1).optional(),
});

export type SweeperOptions = z.input<typeof sweeperOptionsSchema>;

export interface SweeperDependencies {
  db: Kysely<OutboxDatabase>;
  publisher: Publisher;
  semaphore: Semaphore;
  logger: Logger;
  metrics: OutboxMetrics;
}

/** The sweeper: a {@link ScheduledJob} whose `runOnce` publishes what the fast path left behind. */
export type Sweeper = ScheduledJob;

/**
 * Creates the sweeper (DESIGN.md §1 step 3). Each run, in one process of the cluster at a time,
 * publishes changes still unpublished after `graceMs`, oldest first, in bounded batches, and stops
 * early when SNS takes nothing (the next tick tries again).
 */
export function createSweeper(deps: SweeperDependencies, options: SweeperOptions = {}): Sweeper {
  const resolved = parseOptions(sweeperOptionsSchema, options, 'sweeper options');
  const log = deps.logger.child({ component: 'outbox-sweeper' });
  const sweep = async ({ signal }: JobContext) => {
    let published = 0;
    // Within one run the batches move on by change number: the stamps of a batch are written while the
    // next is read and sent, so the next must not find that batch again. Each run starts from the
    // beginning (G3: a change that committed late with a lower number is found by the next run).
    let after: string | undefined;
    for (let batch = 0; batch < resolved.maxBatchesPerRun && !signal.aborted; batch += 1) {
      const changes = await findUnpublished(deps.db, resolved.graceMs, resolved.batchSize, after);
      if (changes.length === 0) break;
      const result = await deps.publisher.publish(changes, 'sweep');
      published += result.published.length;
      if (result.published.length === 0) break;
      if (changes.length < resolved.batchSize) break;
      after = changes.at(-1)?.changeNumber;
    }
    // The backlog figure and the next run must see this run's stamps.
    await deps.publisher.flushMarks();
    const stats = await unpublishedStats(deps.db);
    deps.metrics.backlog.set(stats.count);
    deps.metrics.oldestUnpublishedAge.set((stats.oldestAgeMs ?? 0) / 1000);
    if (published > 0) log.info({ changes: published, backlog: stats.count }, 'sweeper re-published changes');
  };
  return createScheduledJob(
    { semaphore: deps.semaphore, logger: deps.logger },
    {
      name: 'outbox-sweeper',
      schedule: resolved.schedule,
      leaseMs: resolved.leaseMs,
      holder: resolved.holder ?? defaultHolder(),
      run: sweep,
    },
  );
}
