import { declareWorker, defineWorker, type WorkerDefinition, type WorkerDefinitionInput } from '@changeflow/consumer';
import { toError } from '@changeflow/errors';
import { type Outbox, objectsChangedSinceSnapshot } from '@changeflow/outbox';
import { type Kysely, type Selectable, sql } from 'kysely';
import type { Logger } from 'pino';
import { REVAL_OBJECT_TYPES } from '../object-types.js';
import { affectedGmcNumbers } from '../projection/affected-gmc-numbers.js';
import { type ProjectionStores, projectGmcNumbers } from '../projection/project-gmc-numbers.js';
import { londonToday } from '../rules/index.js';
import type { RevalDatabase, RevalSyncJobTable } from '../store/schema.js';
import { buildDerivedIndexes } from './build-indexes.js';
import { buildMaster } from './build-master.js';
import { createGenerationSchema, dropSchema, generationSchemaName } from './generation-schema.js';
import { swapGeneration } from './swap-generation.js';
import { SYNC_STEPS, type SyncStep } from './sync-jobs.js';

/** Deliveries of one step before the job is marked failed (and SQS dead-letters the message). */
const MAX_STEP_ATTEMPTS = 3;
/** How often a running step says it is alive. */
const HEARTBEAT_MS = 5000;
/** GMC numbers re-projected per transaction in the catch-up. */
const CATCH_UP_BATCH = 500;

/**
 * The reval sync worker as plain data: what the CLI, topology and CloudFormation read. One step at a
 * time in the whole cluster, retried up to {@link MAX_STEP_ATTEMPTS} deliveries, an hour at most.
 */
export const REVAL_SYNC_WORKER = declareWorker({
  name: 'reval-sync',
  subscribesTo: [REVAL_OBJECT_TYPES.syncJob],
  visibilityTimeoutSeconds: 60,
  maxLocks: 1,
  concurrency: 1,
  maxReceiveCount: MAX_STEP_ATTEMPTS,
  backoffBaseSeconds: 1,
  maxHandlerMs: 60 * 60 * 1000,
});

export interface RevalSyncWorkerDependencies extends ProjectionStores {
  /** The primary database's outbox: each finished step records the change that starts the next. */
  outbox: Outbox<RevalDatabase>;
  /** @defaultValue `() => new Date()` */
  now?: () => Date;
}

/** The sync worker's tuning: the runtime's options it may change, and the size of a build batch. */
export type RevalSyncWorkerTuning = Partial<
  Pick<WorkerDefinitionInput, 'visibilityTimeoutSeconds' | 'waitTimeSeconds' | 'schedule' | 'leaseMs'>
> & {
  /**
   * GMC numbers read from the primary data and written to the new generation per batch of the
   * build-master step; smaller batches report progress (and heartbeat) more often.
   * @defaultValue 1000
   */
  buildBatchSize?: number;
};

type JobRow = Selectable<RevalSyncJobTable>;

/**
 * The worker that runs a full sync (REVAL.md "The full sync", G7), one step per `sync-job` change:
 * build the new generation's master beside the live indexes, rebuild the derived indexes from it,
 * swap it in atomically, then catch up the changes that committed during the build. Each finished
 * step records the change of the next in the same transaction that records its progress, so the
 * steps travel through Changeflow itself and a crash resumes at the step it interrupted.
 */
export function createRevalSyncWorker(
  deps: RevalSyncWorkerDependencies,
  tuning: RevalSyncWorkerTuning = {},
): WorkerDefinition {
  const now = deps.now ?? (() => new Date());
  const { buildBatchSize, ...runtimeTuning } = tuning;
  return defineWorker({
    ...REVAL_SYNC_WORKER,
    ...runtimeTuning,
    async handle(changes, { logger, attempt }) {
      for (const change of changes) {
        const job = await deps.primaryDb
          .selectFrom('reval_sync_job')
          .selectAll()
          .where('id', '=', change.objectId)
          .executeTakeFirst();
        const step = SYNC_STEPS[change.objectVersion - 1];
        // A duplicate of a step already done, or a job already over: nothing to do.
        if (!job || !step || job.step !== step || job.state === 'succeeded' || job.state === 'failed') continue;
        try {
          await runStep(
            deps,
            job,
            step,
            { today: londonToday(now()), buildBatchSize },
            logger.child({ syncJob: job.id, step }),
          );
        } catch (err) {
          if (attempt >= MAX_STEP_ATTEMPTS) await failJob(deps, job, step, err, logger);
          throw err;
        }
      }
    },
  });
}

async function runStep(
  deps: RevalSyncWorkerDependencies,
  job: JobRow,
  step: SyncStep,
  { today, buildBatchSize }: { today: string; buildBatchSize: number | undefined },
  log: Logger,
): Promise<void> {
  const { primaryDb, indexDb, indexSchema } = deps;
  const started = performance.now();
  await primaryDb
    .updateTable('reval_sync_job')
    .set({
      state: 'running',
      started_at: sql`coalesce(started_at, now())`,
      heartbeat_at: sql`now()`,
      attempts: sql`attempts + 1`,
    })
    .where('id', '=', job.id)
    .execute();
  const heartbeat = setInterval(() => {
    void primaryDb
      .updateTable('reval_sync_job')
      .set({ heartbeat_at: sql`now()` })
      .where('id', '=', job.id)
      .execute()
      .catch(() => {});
  }, HEARTBEAT_MS);
  log.info({}, 'sync step started');
  try {
    const generation = job.generation_schema ?? generationSchemaName(indexSchema, job.id);
    switch (step) {
      case 'build-master': {
        await createGenerationSchema(indexDb, generation);
        const built = await buildMaster(deps, generation, {
          today,
          designatedBodies: deps.designatedBodies,
          batchSize: buildBatchSize,
          onProgress: (done, total) => mergeCounts(primaryDb, job.id, { gmcNumbersDone: done, gmcNumbersTotal: total }),
        });
        await advance(
          deps,
          job,
          step,
          started,
          { documents: built.documents, gmcNumbers: built.gmcNumbers },
          { generation_schema: generation, snapshot: built.snapshot },
        );
        break;
      }
      case 'build-indexes': {
        const counts = await buildDerivedIndexes(indexDb, generation);
        await advance(deps, job, step, started, counts);
        break;
      }
      case 'swap': {
        await swapGeneration(indexDb, indexSchema, generation, job.id);
        await advance(deps, job, step, started, {});
        break;
      }
      case 'catch-up': {
        const changed = await objectsChangedSinceSnapshot(primaryDb, job.snapshot ?? '');
        const gmcNumbers = await affectedGmcNumbers(primaryDb, changed);
        for (let start = 0; start < gmcNumbers.length; start += CATCH_UP_BATCH) {
          await projectGmcNumbers(deps, gmcNumbers.slice(start, start + CATCH_UP_BATCH), today);
        }
        await advance(deps, job, step, started, { caughtUpGmcNumbers: gmcNumbers.length });
        break;
      }
    }
    log.info({ durationMs: Math.round(performance.now() - started) }, 'sync step finished');
  } finally {
    clearInterval(heartbeat);
  }
}

/** Records a finished step and, in the same transaction, the change that starts the next one. */
async function advance(
  deps: RevalSyncWorkerDependencies,
  job: JobRow,
  step: SyncStep,
  started: number,
  counts: Record<string, number>,
  patch: { generation_schema?: string; snapshot?: string } = {},
): Promise<void> {
  const nextIndex = SYNC_STEPS.indexOf(step) + 1;
  const next = SYNC_STEPS[nextIndex];
  const timing = JSON.stringify({ [step]: Math.round(performance.now() - started) });
  await deps.outbox.transaction(async (trx, changes) => {
    await trx
      .updateTable('reval_sync_job')
      .set({
        ...patch,
        step: next ?? 'done',
        state: next ? 'running' : 'succeeded',
        finished_at: next ? null : sql`now()`,
        counts: sql`counts || ${JSON.stringify(counts)}::jsonb`,
        step_timings: sql`step_timings || ${timing}::jsonb`,
        heartbeat_at: sql`now()`,
      })
      .where('id', '=', job.id)
      .execute();
    if (next) {
      await changes.record({
        objectType: REVAL_OBJECT_TYPES.syncJob,
        objectId: job.id,
        objectVersion: nextIndex + 1,
        changeType: 'UPDATE',
      });
    }
  });
}

async function mergeCounts(db: Kysely<RevalDatabase>, id: string, counts: Record<string, number>): Promise<void> {
  await db
    .updateTable('reval_sync_job')
    .set({ counts: sql`counts || ${JSON.stringify(counts)}::jsonb`, heartbeat_at: sql`now()` })
    .where('id', '=', id)
    .execute();
}

/** Marks the job failed and drops its unfinished generation; the live indexes were never touched. */
async function failJob(
  deps: RevalSyncWorkerDependencies,
  job: JobRow,
  step: SyncStep,
  err: unknown,
  logger: Logger,
): Promise<void> {
  const reason = `${step} failed ${MAX_STEP_ATTEMPTS} times: ${toError(err).message}`;
  logger.error(
    { syncJob: job.id, step, err: toError(err) },
    'sync failed; the live indexes are unchanged; start another sync',
  );
  await deps.primaryDb
    .updateTable('reval_sync_job')
    .set({ state: 'failed', error: reason, finished_at: sql`now()` })
    .where('id', '=', job.id)
    .execute();
  if (step !== 'catch-up' && step !== 'swap') {
    await dropSchema(deps.indexDb, job.generation_schema ?? generationSchemaName(deps.indexSchema, job.id));
  }
}
