/**
 * @changeflow/semaphore — a Postgres counting semaphore with leases judged by the database clock and
 * fencing tokens (DESIGN.md G6). The outbox sweeper and each worker take a slot before they run.
 *
 * @example
 * await migrateSemaphore(db);
 * const semaphore = createSemaphore(db);
 * const lease = await semaphore.acquire('outbox-sweeper', 1, 30_000, 'host-a:1234');
 * if (lease) await semaphore.release(lease);
 */
export { LeaseLostError, SemaphoreQueryError } from './errors.js';
export {
  migrateSemaphore,
  SEMAPHORE_MIGRATION_LOCK_TABLE,
  SEMAPHORE_MIGRATION_TABLE,
  semaphoreMigrations,
} from './migrations.js';
export type { ResolvedSemaphoreOptions, SemaphoreOptions } from './options.js';
export { MAX_LEASE_MS, MAX_LOCKS_LIMIT, resolveSemaphoreOptions, semaphoreOptionsSchema } from './options.js';
export type { JobContext, ScheduledJob, ScheduledJobDefinition } from './scheduled-job.js';
export { createScheduledJob, defaultHolder } from './scheduled-job.js';
export { createSemaphore } from './semaphore.js';
export type {
  Lease,
  LeaseLostReason,
  Semaphore,
  SemaphoreDatabase,
  SemaphoreSlotsTable,
  SlotHolder,
} from './types.js';
