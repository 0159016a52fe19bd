import { setTimeout as sleep } from 'node:timers/promises';
import { createSemaphore } from '@changeflow/semaphore';
import { testAwsClients, uniquePrefix, waitFor } from '@changeflow/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import type { TestWorkerSpec } from './fixtures/test-workers.js';
import {
  type HandledRow,
  handledRows,
  provisionTestWorkers,
  publishChanges,
  startWorkerProcess,
  testChanges,
  useWorkersTestDatabase,
  type WorkerProcess,
  workerEnv,
} from './helpers.js';

const testDb = useWorkersTestDatabase('workers_g6');
const aws = testAwsClients();
afterAll(() => aws.destroy());

/** Pairs of rows from different processes whose handling intervals overlap. */
function crossProcessOverlaps(rows: readonly HandledRow[]): Array<[HandledRow, HandledRow]> {
  const overlaps: Array<[HandledRow, HandledRow]> = [];
  for (const a of rows) {
    for (const b of rows) {
      if (a.pid >= b.pid || !a.finished_at || !b.finished_at) continue;
      if (a.started_at < b.finished_at && b.started_at < a.finished_at) overlaps.push([a, b]);
    }
  }
  return overlaps;
}

/** Samples `holders(key)` until stopped; the sampling interval is not a wait for a fact. */
function sampleHolders(key: string): { stop(): Promise<number> } {
  const semaphore = createSemaphore(testDb().db);
  let isStopped = false;
  let max = 0;
  const loop = (async () => {
    while (!isStopped) {
      max = Math.max(max, (await semaphore.holders(key)).length);
      await sleep(20);
    }
  })();
  return {
    async stop() {
      isStopped = true;
      await loop;
      return max;
    },
  };
}

async function stopGracefully(processes: readonly WorkerProcess[]): Promise<void> {
  for (const worker of processes) worker.child.kill('SIGTERM');
  const exits = await Promise.all(processes.map((worker) => worker.exited));
  expect(exits).toEqual(processes.map(() => ({ code: 0, signal: null })));
}

describe('G6 across processes', () => {
  it('with maxLocks 1, two processes take turns and never handle at the same time', async () => {
    const prefix = uniquePrefix('g6');
    const spec: TestWorkerSpec = {
      name: 'single',
      subscribesTo: ['trainee'],
      maxLocks: 1,
      concurrency: 2,
      handlerMs: 100,
      // Short runs, so the slot changes hands often and both processes get turns.
      runWindowMs: 600,
      waitTimeSeconds: 1,
    };
    await provisionTestWorkers(aws, [spec], prefix);
    const env = workerEnv(testDb(), prefix);
    const processes = await Promise.all([startWorkerProcess(env, [spec]), startWorkerProcess(env, [spec])]);
    const sampler = sampleHolders('changeflow:worker:single');
    let published = 0;
    let rows: HandledRow[] = [];
    // Each round is a fresh race for the slot; publish rounds until both processes have won one.
    for (let round = 0; round < 30; round += 1) {
      await publishChanges(aws.sns, prefix, testChanges('trainee', 10));
      published += 10;
      rows = await waitFor(
        async () => {
          const current = await handledRows(testDb().db, 'single');
          return current.filter((row) => row.finished_at).length >= published && current;
        },
        { timeoutMs: 20_000, description: `${published} messages handled` },
      );
      if (new Set(rows.map((row) => row.pid)).size === 2) break;
    }
    const maxHolders = await sampler.stop();
    await stopGracefully(processes);

    expect(new Set(rows.map((row) => row.pid))).toEqual(new Set(processes.map((worker) => worker.pid)));
    expect(crossProcessOverlaps(rows)).toEqual([]);
    expect(maxHolders).toBe(1);
    const changeNumbers = rows.flatMap((row) => row.change_numbers);
    expect(changeNumbers).toHaveLength(published);
    expect(new Set(changeNumbers).size).toBe(published);
  }, 180_000);

  it('with maxLocks 2, both processes handle messages at the same time', async () => {
    const prefix = uniquePrefix('g6');
    const spec: TestWorkerSpec = {
      name: 'pair',
      subscribesTo: ['trainee'],
      maxLocks: 2,
      concurrency: 2,
      handlerMs: 300,
      waitTimeSeconds: 1,
    };
    await provisionTestWorkers(aws, [spec], prefix);
    const env = workerEnv(testDb(), prefix);
    const processes = await Promise.all([startWorkerProcess(env, [spec]), startWorkerProcess(env, [spec])]);
    const sampler = sampleHolders('changeflow:worker:pair');
    await publishChanges(aws.sns, prefix, testChanges('trainee', 40));
    const rows = await waitFor(
      async () => {
        const current = await handledRows(testDb().db, 'pair');
        return current.filter((row) => row.finished_at).length >= 40 && current;
      },
      { timeoutMs: 30_000, description: '40 messages handled' },
    );
    const maxHolders = await sampler.stop();
    await stopGracefully(processes);

    expect(new Set(rows.map((row) => row.pid))).toEqual(new Set(processes.map((worker) => worker.pid)));
    expect(crossProcessOverlaps(rows).length).toBeGreaterThan(0);
    expect(maxHolders).toBeLessThanOrEqual(2);
    expect(new Set(rows.flatMap((row) => row.change_numbers)).size).toBe(40);
  }, 120_000);
});
