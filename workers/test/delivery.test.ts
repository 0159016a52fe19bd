import { createSemaphore } from '@changeflow/semaphore';
import { testAwsClients, uniquePrefix, waitFor } from '@changeflow/test-support';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, startWorkersApp } from '../src/index.js';
import { type TestWorkerSpec, testWorker } from './fixtures/test-workers.js';
import {
  handledRows,
  provisionTestWorkers,
  publishChanges,
  queueDepth,
  queueUrlOf,
  startWorkerProcess,
  testChanges,
  useWorkersTestDatabase,
  workerEnv,
} from './helpers.js';

const testDb = useWorkersTestDatabase('workers_delivery');
const aws = testAwsClients();
afterAll(() => aws.destroy());

/** Provisions the worker, publishes one change for it and returns the queue URL and the change number. */
async function oneMessageFor(
  spec: TestWorkerSpec,
  prefix: string,
): Promise<{ queueUrl: string; changeNumber: string }> {
  await provisionTestWorkers(aws, [spec], prefix);
  const changes = testChanges('trainee', 1);
  await publishChanges(aws.sns, prefix, changes);
  return { queueUrl: await queueUrlOf(aws.sqs, prefix, spec), changeNumber: changes[0]?.changeNumber ?? '' };
}

async function startedRow(worker: string, pid: number) {
  const rows = await waitFor(
    async () => {
      const current = (await handledRows(testDb().db, worker)).filter((row) => row.pid === pid);
      return current.length > 0 && current;
    },
    { timeoutMs: 20_000, description: `the handler of ${worker} started in ${pid}` },
  );
  return rows[0];
}

describe('delivery through a workers process', () => {
  it('keeps a message whose handler outlasts the visibility timeout: handled once, never delivered again meanwhile', async () => {
    const prefix = uniquePrefix('heartbeat');
    // Two apps polling (in this process: the heartbeat is the runtime's, not the process's), so a message
    // that became visible would be received at once by either.
    const spec: TestWorkerSpec = {
      name: 'slow',
      subscribesTo: ['trainee'],
      maxLocks: 2,
      concurrency: 2,
      visibilityTimeoutSeconds: 2,
      handlerMs: 5_000,
      waitTimeSeconds: 1,
    };
    await provisionTestWorkers(aws, [spec], prefix);
    const config = loadConfig({ ...workerEnv(testDb(), prefix), LOG_LEVEL: 'silent' });
    const apps = await Promise.all(
      [1, 2].map(() => startWorkersApp({ config, workers: ({ db }) => [testWorker(spec, db)] })),
    );
    try {
      const { queueUrl, changeNumber } = await oneMessageFor(spec, prefix);
      const rows = await waitFor(
        async () => {
          const current = await handledRows(testDb().db, 'slow');
          return current.some((row) => row.finished_at) && current;
        },
        { timeoutMs: 30_000, description: 'the slow handler finished' },
      );
      // Had a heartbeat been missed, either app would have started a second row by now.
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ attempt: 1, change_numbers: [changeNumber] });
      const { started_at: startedAt, finished_at: finishedAt } = rows[0] ?? {};
      expect((finishedAt?.getTime() ?? 0) - (startedAt?.getTime() ?? 0)).toBeGreaterThanOrEqual(5_000);
      await waitFor(async () => (await queueDepth(aws.sqs, queueUrl)).inFlight === 0, { description: 'deleted' });
      expect(await queueDepth(aws.sqs, queueUrl)).toEqual({ visible: 0, inFlight: 0 });
    } finally {
      await Promise.all(apps.map((app) => app.stop()));
    }
    expect(await handledRows(testDb().db, 'slow')).toHaveLength(1);
  }, 120_000);

  it('delivers again, after the visibility timeout, a message whose process was SIGKILLed mid-handler', async () => {
    const prefix = uniquePrefix('sigkill');
    const spec: TestWorkerSpec = {
      name: 'crash',
      subscribesTo: ['trainee'],
      maxLocks: 1,
      visibilityTimeoutSeconds: 2,
      handlerMs: 120_000,
      waitTimeSeconds: 1,
    };
    await provisionTestWorkers(aws, [spec], prefix);
    const env = workerEnv(testDb(), prefix);
    const first = await startWorkerProcess(env, [spec]);
    const { queueUrl, changeNumber } = await oneMessageFor(spec, prefix);
    const killedRow = await startedRow('crash', first.pid);
    // A second process stands by; with maxLocks 1 it is not elected while the first holds the slot.
    const second = await startWorkerProcess(env, [{ ...spec, handlerMs: 0 }]);

    first.child.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    // SQS knows nothing of the kill: the message stays invisible until its visibility timeout.
    expect(await queueDepth(aws.sqs, queueUrl)).toEqual({ visible: 0, inFlight: 1 });
    // The dead process's slot is held until its lease expires (30 s); move that time in the data.
    await sql`update semaphore_slots set expires_at = now() where key = 'changeflow:worker:crash'`.execute(testDb().db);

    const redelivered = await waitFor(
      async () => {
        const rows = (await handledRows(testDb().db, 'crash')).filter((row) => row.pid === second.pid);
        return rows.find((row) => row.finished_at);
      },
      { timeoutMs: 20_000, description: 'the second process handled the message' },
    );
    expect(redelivered).toMatchObject({ attempt: 2, change_numbers: [changeNumber] });
    expect(redelivered.message_id).toBe(killedRow?.message_id);
    expect(redelivered.started_at.getTime() - (killedRow?.started_at.getTime() ?? 0)).toBeGreaterThanOrEqual(1_500);
    await waitFor(async () => (await queueDepth(aws.sqs, queueUrl)).inFlight === 0, { description: 'deleted' });
    expect(await queueDepth(aws.sqs, queueUrl)).toEqual({ visible: 0, inFlight: 0 });
    expect(await handledRows(testDb().db, 'crash')).toHaveLength(2);

    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
  }, 120_000);

  it('on SIGTERM lets the handler finish, deletes the message once, releases the slot and exits 0', async () => {
    const prefix = uniquePrefix('sigterm');
    const spec: TestWorkerSpec = { name: 'graceful', subscribesTo: ['trainee'], handlerMs: 3_000, waitTimeSeconds: 1 };
    await provisionTestWorkers(aws, [spec], prefix);
    const worker = await startWorkerProcess(workerEnv(testDb(), prefix), [spec]);
    const { queueUrl, changeNumber } = await oneMessageFor(spec, prefix);
    await startedRow('graceful', worker.pid);

    worker.child.kill('SIGTERM');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    const rows = await handledRows(testDb().db, 'graceful');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ attempt: 1, change_numbers: [changeNumber] });
    expect(rows[0]?.finished_at).toBeInstanceOf(Date);
    // Deleted before the exit: neither handed back (visible) nor left invisible (in flight).
    expect(await queueDepth(aws.sqs, queueUrl)).toEqual({ visible: 0, inFlight: 0 });
    expect(await createSemaphore(testDb().db).holders('changeflow:worker:graceful')).toEqual([]);
  }, 120_000);

  it('on SIGTERM hands back, visible at once, a message whose handler outlasts DRAIN_TIMEOUT_MS', async () => {
    const prefix = uniquePrefix('drain');
    const spec: TestWorkerSpec = { name: 'overdue', subscribesTo: ['trainee'], handlerMs: 120_000, waitTimeSeconds: 1 };
    await provisionTestWorkers(aws, [spec], prefix);
    // The drain timeout outlasts the long poll that stopping aborted (waitTimeSeconds 1): until that poll
    // ends, SQS may answer it with the message just given back (workers/README.md, "Known issues").
    const worker = await startWorkerProcess(workerEnv(testDb(), prefix, { DRAIN_TIMEOUT_MS: '2000' }), [spec]);
    const { queueUrl } = await oneMessageFor(spec, prefix);
    await startedRow('overdue', worker.pid);

    worker.child.kill('SIGTERM');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    expect((await handledRows(testDb().db, 'overdue'))[0]?.finished_at).toBeNull();
    // Visible now, not after its 30 s visibility timeout: the next process can take it at once.
    expect(await queueDepth(aws.sqs, queueUrl)).toEqual({ visible: 1, inFlight: 0 });
    expect(await createSemaphore(testDb().db).holders('changeflow:worker:overdue')).toEqual([]);
  }, 120_000);

  it('exits at once with 130 on a second signal while draining, leaving the message to its visibility timeout', async () => {
    const prefix = uniquePrefix('twice');
    const spec: TestWorkerSpec = {
      name: 'impatient',
      subscribesTo: ['trainee'],
      handlerMs: 120_000,
      waitTimeSeconds: 1,
    };
    await provisionTestWorkers(aws, [spec], prefix);
    const worker = await startWorkerProcess(workerEnv(testDb(), prefix, { LOG_LEVEL: 'info' }), [spec]);
    const { queueUrl } = await oneMessageFor(spec, prefix);
    await startedRow('impatient', worker.pid);

    const draining = worker.waitForLog('stopping: draining');
    worker.child.kill('SIGTERM');
    await draining;
    const secondAt = Date.now();
    worker.child.kill('SIGINT');
    expect(await worker.exited).toEqual({ code: 130, signal: null });
    // Well before the 30 s drain timeout and the 120 s handler.
    expect(Date.now() - secondAt).toBeLessThan(5_000);
    expect((await handledRows(testDb().db, 'impatient'))[0]?.finished_at).toBeNull();
    expect(await queueDepth(aws.sqs, queueUrl)).toEqual({ visible: 0, inFlight: 1 });
  }, 120_000);
});
