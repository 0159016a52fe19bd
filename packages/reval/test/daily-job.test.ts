import { createOutbox, listChanges } from '@changeflow/outbox';
import { createSemaphore } from '@changeflow/semaphore';
import { testAwsClients, uniquePrefix, useTestDatabase } from '@changeflow/test-support';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createRevalDailyJob,
  gmcNumbersAffectedOn,
  migrateRevalPrimary,
  type RevalDatabase,
  saveRecommendations,
  saveTrainees,
  type TraineeInput,
} from '../src/index.js';

const testDb = useTestDatabase<RevalDatabase>('daily', (db) => migrateRevalPrimary(db));
const aws = testAwsClients();
afterAll(() => aws.destroy());

const TODAY = '2026-04-15';

function trainee(
  id: number,
  gmc: string,
  membership: { startDate: string; endDate: string },
  placement = membership,
): TraineeInput {
  return {
    tcsPersonId: id,
    gmcReferenceNumber: gmc,
    firstName: 'A',
    lastName: 'B',
    role: null,
    programmeMemberships: [
      { programmeName: 'P', membershipType: 'SUBSTANTIVE', programmeOwner: 'Wessex', curricula: [], ...membership },
    ],
    placements: [{ gradeId: '300', ...placement }],
  };
}

describe('the reval daily job', () => {
  it('records a gmc-number change for exactly the doctors whose documents today changes', async () => {
    const { db } = testDb();
    const outbox = createOutbox({ db, sns: aws.sns }, { topicPrefix: uniquePrefix('daily') });
    const long = { startDate: '2025-01-01', endDate: '2027-01-01' };
    await outbox.transaction(async (trx, changes) => {
      await saveTrainees({ trx, changes }, [
        trainee(1, '1000001', { startDate: TODAY, endDate: '2027-01-01' }), // membership starts today
        trainee(2, '1000002', { startDate: '2025-01-01', endDate: '2026-04-14' }), // ended yesterday
        trainee(3, '1000003', long, { startDate: TODAY, endDate: '2027-01-01' }), // placement starts today
        trainee(4, '1000004', long), // nothing happens today
        trainee(5, '1000005', { startDate: '2025-01-01', endDate: '2026-04-13' }), // ended the day before yesterday
      ]);
      await saveRecommendations({ trx, changes }, [
        // Past completed = actual submission before today minus one month (2026-03-15).
        {
          id: 'r1',
          gmcReferenceNumber: '2000001',
          type: 'REVALIDATE',
          status: null,
          outcome: 'APPROVED',
          gmcSubmissionDate: null,
          actualSubmissionDate: '2026-03-14',
          admin: null,
        },
        {
          id: 'r2',
          gmcReferenceNumber: '2000002',
          type: 'REVALIDATE',
          status: null,
          outcome: 'APPROVED',
          gmcSubmissionDate: null,
          actualSubmissionDate: '2026-03-13',
          admin: null,
        },
        {
          id: 'r3',
          gmcReferenceNumber: '2000003',
          type: 'REVALIDATE',
          status: null,
          outcome: 'APPROVED',
          gmcSubmissionDate: null,
          actualSubmissionDate: '2026-03-15',
          admin: null,
        },
        {
          id: 'r4',
          gmcReferenceNumber: '2000004',
          type: 'REVALIDATE',
          status: null,
          outcome: 'REJECTED',
          gmcSubmissionDate: null,
          actualSubmissionDate: '2026-03-14',
          admin: null,
        },
      ]);
    });
    // Yesterday minus a month is 2026-03-14: r1 became past completed today, r2 before, r3 not yet.
    expect(await gmcNumbersAffectedOn(db, TODAY)).toEqual(['1000001', '1000002', '1000003', '2000001']);

    const job = createRevalDailyJob(
      { outbox, db, semaphore: createSemaphore(db), logger: pino({ level: 'silent' }) },
      { now: () => new Date(`${TODAY}T09:00:00+01:00`) },
    );
    expect(await job.runOnce()).toBe('ran');
    const recorded = await listChanges(db, { objectType: 'gmc-number' });
    expect(recorded.map((change) => change.objectId).sort()).toEqual(['1000001', '1000002', '1000003', '2000001']);
    await outbox.flush();
  });
});
