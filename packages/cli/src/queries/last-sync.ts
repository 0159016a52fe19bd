import { latestSyncJob, type RevalDatabase, type SyncJob } from '@changeflow/reval';
import type { Kysely } from 'kysely';
import { tableExists } from '../database.js';

/** The table the reval sync records its jobs in (`@changeflow/reval`'s primary migrations). */
const SYNC_TABLE = 'reval_sync_job';

/**
 * The last full sync, or `undefined` when none ran yet — including when the database has no sync
 * table at all (an outbox-only database, or one migrated before the sync existed).
 */
export async function readLastSync(db: Kysely<RevalDatabase>): Promise<SyncJob | undefined> {
  if (!(await tableExists(db, SYNC_TABLE))) return undefined;
  return latestSyncJob(db);
}
