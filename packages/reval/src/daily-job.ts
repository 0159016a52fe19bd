import type { Outbox } from '@changeflow/outbox';
import { createScheduledJob, defaultHolder, type ScheduledJob, type Semaphore } from '@changeflow/semaphore';
import { type Kysely, sql } from 'kysely';
import type { Logger } from 'pino';
import type { IsoDate } from './model.js';
import { REVAL_OBJECT_TYPES } from './object-types.js';
import { addCalendarMonths, addDays, londonToday } from './rules/index.js';
import type { RevalDatabase } from './store/schema.js';

/** node-cron expression of the daily job, read in Europe/London: 00:05 every day. */
export const DEFAULT_DAILY_JOB_SCHEDULE = '0 5 0 * * *';

/** When and how the daily job runs. */
export interface RevalDailyJobOptions {
  /**
   * node-cron expression, read in Europe/London.
   * @defaultValue {@link DEFAULT_DAILY_JOB_SCHEDULE} (00:05 every day)
   */
  schedule?: string;
  /** Changes recorded per transaction. @defaultValue 1000 */
  batchSize?: number;
  /** @defaultValue `() => new Date()` */
  now?: () => Date;
}

/**
 * Several rules depend on "today" (REVAL.md), so a document can stop or start qualifying with no
 * write at all. Once a day, in one instance of the cluster, this records a `gmc-number` change for
 * every GMC number whose trainee had a membership or placement start today or end yesterday, and
 * for every recommendation that became "past completed" today; the index worker recomputes them.
 */
export function createRevalDailyJob(
  deps: { outbox: Outbox<RevalDatabase>; db: Kysely<RevalDatabase>; semaphore: Semaphore; logger: Logger },
  options: RevalDailyJobOptions = {},
): ScheduledJob {
  const now = options.now ?? (() => new Date());
  const batchSize = options.batchSize ?? 1000;
  const log = deps.logger.child({ component: 'reval-daily-job' });
  return createScheduledJob(
    { semaphore: deps.semaphore, logger: deps.logger },
    {
      name: 'reval-daily',
      schedule: options.schedule ?? DEFAULT_DAILY_JOB_SCHEDULE,
      timezone: 'Europe/London',
      leaseMs: 120_000,
      holder: defaultHolder(),
      run: async ({ signal }) => {
        const today = londonToday(now());
        const gmcNumbers = await gmcNumbersAffectedOn(deps.db, today);
        const version = Math.floor(Date.parse(`${today}T00:00:00Z`) / 86_400_000);
        for (let start = 0; start < gmcNumbers.length && !signal.aborted; start += batchSize) {
          const batch = gmcNumbers.slice(start, start + batchSize);
          await deps.outbox.transaction((_trx, changes) =>
            changes.record(
              batch.map((gmc) => ({
                objectType: REVAL_OBJECT_TYPES.gmcNumber,
                objectId: gmc,
                objectVersion: version,
                changeType: 'UPDATE' as const,
              })),
            ),
          );
        }
        log.info({ today, gmcNumbers: gmcNumbers.length }, 'daily recompute recorded');
      },
    },
  );
}

/** The GMC numbers whose documents may change on `today` although nothing was written. */
export async function gmcNumbersAffectedOn(db: Kysely<RevalDatabase>, today: IsoDate): Promise<string[]> {
  const yesterday = addDays(today, -1);
  // "Past completed" = actual submission before today minus one month; it became so today when
  // it was not yet so yesterday.
  const pastCompletedFrom = addCalendarMonths(yesterday, -1);
  const pastCompletedBefore = addCalendarMonths(today, -1);
  const { rows } = await sql<{ gmc: string }>`
    select gmc_reference_number as gmc from reval_trainee t
    where deleted_at is null and gmc_reference_number is not null and (
      exists (select 1 from jsonb_array_elements(t.programme_memberships) m
              where m->>'startDate' = ${today} or m->>'endDate' = ${yesterday})
      or exists (select 1 from jsonb_array_elements(t.placements) p
              where p->>'startDate' = ${today} or p->>'endDate' = ${yesterday}))
    union
    select gmc_reference_number from reval_recommendation
    where deleted_at is null and outcome = 'APPROVED'
      and actual_submission_date >= ${pastCompletedFrom} and actual_submission_date < ${pastCompletedBefore}
    order by 1`.execute(db);
  return rows.map((row) => row.gmc);
}
