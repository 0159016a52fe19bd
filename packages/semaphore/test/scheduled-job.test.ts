import { useTestDatabase } from '@changeflow/test-support';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import {
  createScheduledJob,
  createSemaphore,
  type JobContext,
  migrateSemaphore,
  type SemaphoreDatabase,
} from '../src/index.js';
import { expireLeases } from './helpers.js';

const testDb = useTestDatabase<SemaphoreDatabase>('scheduled_job', migrateSemaphore);

/** A job whose tick never comes while the test runs; `body` is its one run, started by `runOnce`. */
function job(name: string, body: (context: JobContext) => Promise<void>) {
  return createScheduledJob(
    { semaphore: createSemaphore(testDb().db), logger: pino({ level: 'silent' }) },
    { name, schedule: '0 0 0 1 1 *', leaseMs: 60_000, holder: 'runner', run: body },
  );
}

describe('a scheduled run asking isWanted', () => {
  it('hears false while nobody waits, then true once another process was refused the slot', async () => {
    const answers: boolean[] = [];
    const result = await job('asked', async ({ isWanted }) => {
      answers.push(await isWanted());
      expect(await createSemaphore(testDb().db).acquire('changeflow:asked', 1, 60_000, 'standby')).toBeUndefined();
      answers.push(await isWanted());
    }).runOnce();
    expect(result).toBe('ran');
    expect(answers).toEqual([false, true]);
  });

  it('hears true once its lease is no longer live', async () => {
    let answer: boolean | undefined;
    await job('expired', async ({ isWanted }) => {
      await expireLeases(testDb().db, 'changeflow:expired');
      answer = await isWanted();
    }).runOnce();
    expect(answer).toBe(true);
  });

  it('hears true, and the run goes on, when the check itself fails', async () => {
    let answer: boolean | undefined;
    await job('unreachable', async ({ isWanted }) => {
      await testDb().db.schema.alterTable('semaphore_slots').renameTo('semaphore_slots_away').execute();
      try {
        answer = await isWanted();
      } finally {
        await testDb().db.schema.alterTable('semaphore_slots_away').renameTo('semaphore_slots').execute();
      }
    }).runOnce();
    expect(answer).toBe(true);
  });
});
