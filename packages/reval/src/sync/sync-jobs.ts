import { ChangeflowError } from '@changeflow/errors';
import type { Outbox } from '@changeflow/outbox';
import { type Kysely, type Selectable, sql } from 'kysely';
import { REVAL_OBJECT_TYPES } from '../object-types.js';
import type { RevalDatabase, RevalSyncJobTable } from '../store/schema.js';

/** The steps of a full sync, in order; a step's position + 1 is the version of the change that starts it. */
export const SYNC_STEPS = ['build-master', 'build-indexes', 'swap', 'catch-up'] as const;
export type SyncStep = (typeof SYNC_STEPS)[number];

/** A sync job as the API shows it. */
export interface SyncJob {
  id: string;
  state: 'pending' | 'running' | 'succeeded' | 'failed';
  step: string;
  counts: Record<string, number>;
  stepTimingsMs: Record<string, number>;
  error: string | null;
  attempts: number;
  requestedBy: string | null;
  requestedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  heartbeatAt: Date | null;
}

function toSyncJob(row: Selectable<RevalSyncJobTable>): SyncJob {
  return {
    id: row.id,
    state: row.state,
    step: row.step,
    counts: row.counts,
    stepTimingsMs: row.step_timings,
    error: row.error,
    attempts: row.attempts,
    requestedBy: row.requested_by,
    requestedAt: row.requested_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    heartbeatAt: row.heartbeat_at,
  };
}

/** A job whose step has shown no heartbeat for this long is taken for dead when another sync is asked for. */
const STALE_SYNC_MS = 10 * 60 * 1000;

/**
 * Starts a full sync: records the job and the change that carries its first step, in one
 * transaction. While another job is pending or running (and alive), answers with that one instead.
 */
export async function startSync(
  outbox: Outbox<RevalDatabase>,
  db: Kysely<RevalDatabase>,
  requestedBy: string | null,
): Promise<{ started: SyncJob } | { running: SyncJob }> {
  await db
    .updateTable('reval_sync_job')
    .set({
      state: 'failed',
      error: 'no heartbeat for 10 minutes: taken for dead when a new sync was asked for',
      finished_at: sql`now()`,
    })
    .where('state', 'in', ['pending', 'running'])
    .where(sql<boolean>`coalesce(heartbeat_at, requested_at) < now() - make_interval(secs => ${STALE_SYNC_MS / 1000})`)
    .execute();
  try {
    const job = await outbox.transaction(async (trx, changes) => {
      const row = await trx
        .insertInto('reval_sync_job')
        .values({ requested_by: requestedBy, counts: '{}', step_timings: '{}' })
        .returningAll()
        .executeTakeFirstOrThrow();
      await changes.record({
        objectType: REVAL_OBJECT_TYPES.syncJob,
        objectId: row.id,
        objectVersion: 1,
        changeType: 'CREATE',
        userId: requestedBy,
      });
      return toSyncJob(row);
    });
    return { started: job };
  } catch (err) {
    if ((err as { code?: string }).code !== '23505') throw err;
    const running = await db
      .selectFrom('reval_sync_job')
      .selectAll()
      .where('state', 'in', ['pending', 'running'])
      .executeTakeFirst();
    if (!running)
      throw new ChangeflowError('SYNC_CONFLICT', 'another sync just finished while this one was asked for; ask again', {
        cause: err,
      });
    return { running: toSyncJob(running) };
  }
}

export async function getSyncJob(db: Kysely<RevalDatabase>, id: string): Promise<SyncJob | undefined> {
  if (!/^\d{1,18}$/.test(id)) return undefined;
  const row = await db.selectFrom('reval_sync_job').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toSyncJob(row) : undefined;
}

/** The most recent sync, for `changeflow status`. */
export async function latestSyncJob(db: Kysely<RevalDatabase>): Promise<SyncJob | undefined> {
  const row = await db.selectFrom('reval_sync_job').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirst();
  return row ? toSyncJob(row) : undefined;
}

/** The most recent syncs, newest first, for the console's list of past runs. */
export async function listSyncJobs(db: Kysely<RevalDatabase>, limit: number): Promise<SyncJob[]> {
  const rows = await db.selectFrom('reval_sync_job').selectAll().orderBy('id', 'desc').limit(limit).execute();
  return rows.map(toSyncJob);
}
