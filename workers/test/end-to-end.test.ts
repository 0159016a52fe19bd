import { createOutbox, recordChanges } from '@changeflow/outbox';
import { testAwsClients, uniquePrefix, waitFor } from '@changeflow/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import type { TestWorkerSpec } from './fixtures/test-workers.js';
import { handledRows, startWorkerProcess, useWorkersTestDatabase, workerEnv } from './helpers.js';

const testDb = useWorkersTestDatabase('workers_e2e');
const aws = testAwsClients();
afterAll(() => aws.destroy());

describe('from the outbox to a workers process', () => {
  it('hands a change recorded in a write transaction to the worker that subscribes to its object type', async () => {
    const prefix = uniquePrefix('e2e');
    const spec: TestWorkerSpec = { name: 'projector', subscribesTo: ['trainee'], waitTimeSeconds: 1 };
    // The process provisions the topology itself (CHANGEFLOW_PROVISION=true), as a first deployment would.
    const worker = await startWorkerProcess(workerEnv(testDb(), prefix, { CHANGEFLOW_PROVISION: 'true' }), [spec]);
    const outbox = createOutbox({ db: testDb().db, sns: aws.sns }, { topicPrefix: prefix });
    const recorded = await outbox.transaction((_trx, changes) =>
      changes.record({ objectType: 'trainee', objectId: `${prefix}-1`, objectVersion: 1, changeType: 'CREATE' }),
    );
    await outbox.flush();

    const rows = await waitFor(
      async () => {
        const current = await handledRows(testDb().db, 'projector');
        return current.some((row) => row.finished_at) && current;
      },
      { timeoutMs: 20_000, description: 'the worker handled the change' },
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ pid: worker.pid, attempt: 1, change_numbers: [recorded[0]?.changeNumber] });
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
  }, 120_000);

  it("publishes, with the workers' sweeper, changes a writer committed but never published, and handles them", async () => {
    const prefix = uniquePrefix('e2e');
    const spec: TestWorkerSpec = { name: 'swept', subscribesTo: ['gmc-doctor'], waitTimeSeconds: 1 };
    // A writer that died between commit and publish: the rows exist, nothing was sent.
    const recorded = await recordChanges(
      testDb().db,
      [1, 2, 3].map((version) => ({
        objectType: 'gmc-doctor',
        objectId: `${prefix}-doctor`,
        objectVersion: version,
        changeType: 'UPDATE' as const,
      })),
    );
    const worker = await startWorkerProcess(
      workerEnv(testDb(), prefix, { CHANGEFLOW_PROVISION: 'true', SWEEPER_GRACE_MS: '0' }),
      [spec],
    );
    const numbers = recorded.map((change) => change.changeNumber).sort();
    await waitFor(
      async () => {
        const handled = (await handledRows(testDb().db, 'swept'))
          .filter((row) => row.finished_at)
          .flatMap((row) => row.change_numbers);
        return numbers.every((number) => handled.includes(number));
      },
      { timeoutMs: 20_000, description: 'the swept changes handled' },
    );
    const unpublished = await testDb()
      .db.selectFrom('changes')
      .select('change_number')
      .where('object_id', '=', `${prefix}-doctor`)
      .where('published_at', 'is', null)
      .execute();
    expect(unpublished).toEqual([]);
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
  }, 120_000);
});
