import { useTestDatabase, waitFor } from '@changeflow/test-support';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createScheduledJob, createSemaphore, migrateSemaphore, type SemaphoreDatabase } from '../src/index.js';

const testDb = useTestDatabase<SemaphoreDatabase>('missed_ticks', (db) => migrateSemaphore(db));

/** Blocks this process's event loop for `ms`, as a long GC pause or a SIGSTOP would. */
function pauseEventLoop(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

describe('missed scheduled ticks', () => {
  it('are logged once per pause, with how many were missed', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    let runs = 0;
    const job = createScheduledJob(
      { semaphore: createSemaphore(testDb().db), logger },
      {
        name: 'every-second',
        schedule: '* * * * * *',
        leaseMs: 10_000,
        holder: 'test',
        run: async () => {
          runs += 1;
        },
      },
    );
    job.start();
    try {
      await waitFor(() => runs > 0, { description: 'a first run' });
      pauseEventLoop(4500);
      const reports = await waitFor(() => {
        const found = lines.filter((line) => line.msg?.toString().includes('scheduled ticks were missed'));
        return found.length > 0 ? found : undefined;
      });
      // node-cron reports the whole pause in one burst; a second report would mean one per tick.
      await waitFor(() => runs > 1, { description: 'a run after the pause' });
      expect(reports).toHaveLength(1);
      expect(reports[0]).toMatchObject({ level: 40, missedTicks: expect.any(Number) });
      expect(reports[0]?.missedTicks).toBeGreaterThanOrEqual(2);
      expect(lines.filter((line) => line.source === 'node-cron' && line.level === 40)).toEqual([]);
    } finally {
      await job.stop();
    }
  });
});
