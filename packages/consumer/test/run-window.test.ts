import { setTimeout as sleep } from 'node:timers/promises';
import { createSemaphore } from '@changeflow/semaphore';
import { useTestDatabase } from '@changeflow/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type ConsumerDatabase,
  defineWorker,
  migrateConsumer,
  type WorkerRuntimeEvents,
  workerSemaphoreKey,
} from '../src/index.js';
import { changeMessage, type RuntimeHarness, startRuntime } from './runtime-harness.js';

const testDb = useTestDatabase<ConsumerDatabase>('run-window', migrateConsumer);

const MESSAGES = 20;
/** Each message takes at least this long, one at a time: the queue outlasts several windows. */
const HANDLER_MS = 40;
const RUN_WINDOW_MS = 200;

let harness: RuntimeHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/**
 * A worker whose tick never comes while the test runs (New Year's midnight), so only `runOnce` starts
 * runs; `onHandle` runs before each message's work.
 */
function windowedWorker(name: string, onHandle: () => Promise<void> = async () => {}) {
  return defineWorker({
    name,
    subscribesTo: ['trainee'],
    schedule: '0 0 0 1 1 *',
    runWindowMs: RUN_WINDOW_MS,
    concurrency: 1,
    receivesInFlight: 1,
    waitTimeSeconds: 1,
    async handle() {
      await onHandle();
      await sleep(HANDLER_MS);
    },
  });
}

async function startWithQueue(name: string, onHandle?: () => Promise<void>) {
  harness = await startRuntime(testDb().db, [windowedWorker(name, onHandle)]);
  const runs: Array<WorkerRuntimeEvents['run:finished'][0]> = [];
  let started = 0;
  harness.runtime.on('run:started', () => {
    started += 1;
  });
  harness.runtime.on('run:finished', (run) => runs.push(run));
  for (let index = 0; index < MESSAGES; index += 1)
    await harness.send(name, JSON.stringify({ changes: [changeMessage(index + 1, `t-${index}`)] }));
  return { harness, runs, started: () => started };
}

describe('run window', () => {
  it('goes on past its window while no other process waits for the slot: one run, no pause', async () => {
    const { harness, runs, started } = await startWithQueue('alone');
    expect(await harness.runtime.runOnce('alone')).toBe('ran');

    expect(started()).toBe(1);
    expect(runs).toHaveLength(1);
    expect(runs[0]?.messages).toBe(MESSAGES);
    // Twenty handlers of at least 40 ms each, one at a time: the run outlasted several windows.
    expect(runs[0]?.durationMs).toBeGreaterThan(3 * RUN_WINDOW_MS);
    expect(harness.events.filter((event) => event.outcome === 'done')).toHaveLength(MESSAGES);
  });

  it('ends at the window when another process was refused the slot, and releases it for that one', async () => {
    const semaphore = createSemaphore(testDb().db);
    const key = workerSemaphoreKey('contended');
    let refusals = 0;
    const { harness, runs } = await startWithQueue('contended', async () => {
      // Another process ticks while this run works, and finds the only slot held.
      if (refusals === 0 && (await semaphore.acquire(key, 1, 60_000, 'standby')) === undefined) refusals += 1;
    });
    expect(await harness.runtime.runOnce('contended')).toBe('ran');

    expect(refusals).toBe(1);
    expect(runs).toHaveLength(1);
    const firstRun = runs[0]?.messages ?? 0;
    expect(firstRun).toBeGreaterThan(0);
    expect(firstRun).toBeLessThan(MESSAGES);
    // The slot is free for the process that waited.
    const standby = await semaphore.acquire(key, 1, 60_000, 'standby');
    expect(standby).toBeDefined();
    expect(await harness.runtime.runOnce('contended')).toBe('not-elected');

    // Its turn over, the rest is handled: nothing was lost by ending the run.
    if (standby) await semaphore.release(standby);
    expect(await harness.runtime.runOnce('contended')).toBe('ran');
    expect(runs.reduce((sum, run) => sum + run.messages, 0)).toBe(MESSAGES);
    expect(harness.events.filter((event) => event.outcome === 'done')).toHaveLength(MESSAGES);
  });
});
