import type { WorkerDefinition } from '@changeflow/consumer';
import {
  createRevalDailyJob,
  createRevalWorkers,
  DEFAULT_DESIGNATED_BODIES,
  migrateRevalIndex,
  migrateRevalPrimary,
  type ProjectionStores,
  type RevalDatabase,
  untypedDb,
} from '@changeflow/reval';
import type { ScheduledJob } from '@changeflow/semaphore';
import type { Kysely } from 'kysely';
import type { WorkerContext, WorkersAppOptions } from './app.js';

/** The primary database as reval's (it holds reval's tables as well as the outbox's). */
function revalDb(context: Pick<WorkerContext, 'db'>): Kysely<RevalDatabase> {
  return context.db as unknown as Kysely<RevalDatabase>;
}

function stores(context: WorkerContext): ProjectionStores {
  return {
    primaryDb: revalDb(context),
    indexDb: untypedDb(context.indexDb),
    indexSchema: context.config.indexSchema,
    designatedBodies: DEFAULT_DESIGNATED_BODIES,
    preparedStatements: context.config.preparedStatements,
  };
}

/**
 * The workers this deployment runs: `@changeflow/reval`'s `REVAL_WORKERS` (the index projection and
 * the full sync), each declaration bound to its handler here, at start. Each gets its queue, DLQ and
 * subscriptions from its declaration (`CHANGEFLOW_PROVISION=true` creates them); the CLI reads the
 * same list.
 */
export function registeredWorkers(context: WorkerContext): WorkerDefinition[] {
  const outbox = context.outbox as unknown as Parameters<typeof createRevalWorkers>[0]['outbox'];
  return createRevalWorkers({ ...stores(context), outbox });
}

/** Timer jobs beside the workers: the reval daily recompute (one instance of the cluster a day). */
export function registeredJobs(context: WorkerContext): ScheduledJob[] {
  const outbox = context.outbox as unknown as Parameters<typeof createRevalDailyJob>[0]['outbox'];
  return [
    createRevalDailyJob(
      { outbox, db: revalDb(context), semaphore: context.semaphore, logger: context.logger },
      { schedule: context.config.dailyJobSchedule },
    ),
  ];
}

/** The reval tables, created at start when `MIGRATE` is on. */
export const registeredMigrations: NonNullable<WorkersAppOptions['migrate']> = async ({ db, indexDb, config }) => {
  await migrateRevalPrimary(db);
  await migrateRevalIndex(indexDb, config.indexSchema);
};
