import { createAwsClients } from '@changeflow/aws';
import { createSemaphore } from '@changeflow/semaphore';
import { startTcpProxy, type TcpProxy, useTestDatabase } from '@changeflow/test-support';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { listChanges, migrateOutbox, type OutboxDatabase } from '../src/index.js';
import { outboxWithQueue } from './outbox-harness.js';

const testDb = useTestDatabase<OutboxDatabase>('outage', (db) => migrateOutbox(db));
let proxy: TcpProxy;
let harness: Awaited<ReturnType<typeof outboxWithQueue>>;
let proxied: ReturnType<typeof createAwsClients>;

beforeAll(async () => {
  proxy = await startTcpProxy(inject('awsEndpoint'));
  proxied = createAwsClients({ endpoint: proxy.endpoint, maxAttempts: 2 });
  harness = await outboxWithQueue(testDb().db, { sns: proxied.sns });
});
afterAll(async () => {
  await harness.close();
  proxied.destroy();
  await proxy.close();
});

describe('an SNS endpoint that is down', () => {
  it('G3b: writes go on, nothing is marked published, and everything is published once it is back', async () => {
    const { outbox, received } = harness;
    await proxy.down();
    const written = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        outbox.transaction((_trx, changes) =>
          changes.record({ objectType: 'trainee', objectId: `outage-${i}`, objectVersion: 1, changeType: 'UPDATE' }),
        ),
      ),
    );
    const numbers = written.flat().map((change) => change.changeNumber);
    expect(numbers).toHaveLength(30);
    await outbox.flush();
    const stuck = await listChanges(testDb().db, { fromChangeNumber: numbers[0], published: false });
    expect(stuck.map((change) => change.changeNumber)).toEqual(expect.arrayContaining(numbers));
    const failures = (await outbox.metrics.publishFailures.get()).values.reduce((sum, v) => sum + v.value, 0);
    expect(failures).toBeGreaterThanOrEqual(30);

    // While it is down the sweeper publishes nothing and keeps every change.
    const sweeper = outbox.createSweeper(createSemaphore(testDb().db), { graceMs: 0 });
    expect(await sweeper.runOnce()).toBe('ran');
    expect(await listChanges(testDb().db, { fromChangeNumber: numbers[0], published: false })).toHaveLength(30);

    await proxy.up();
    expect(await sweeper.runOnce()).toBe('ran');
    expect(await listChanges(testDb().db, { fromChangeNumber: numbers[0], published: false })).toEqual([]);
    await received.waitForAll(numbers);
  });
});
