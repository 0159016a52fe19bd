import { createAwsClients } from '@changeflow/aws';
import { createSemaphore } from '@changeflow/semaphore';
import { startTcpProxy, type TcpProxy, useTestDatabase } from '@changeflow/test-support';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { listChanges, migrateOutbox, type OutboxDatabase } from '../src/index.js';
import { outboxWithQueue } from './outbox-harness.js';

const testDb = useTestDatabase<OutboxDatabase>('frozen_sns', (db) => migrateOutbox(db));
const lines: Array<{ msg: string; service?: string }> = [];
let proxy: TcpProxy;
let harness: Awaited<ReturnType<typeof outboxWithQueue>>;
let proxied: ReturnType<typeof createAwsClients>;

beforeAll(async () => {
  proxy = await startTcpProxy(inject('awsEndpoint'));
  proxied = createAwsClients(
    { endpoint: proxy.endpoint, maxAttempts: 2, requestTimeoutMs: 500, totalTimeoutMs: 1500 },
    { logger: pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) }) },
  );
  harness = await outboxWithQueue(testDb().db, { sns: proxied.sns });
});
afterAll(async () => {
  await harness.close();
  proxied.destroy();
  await proxy.close();
});

describe('an SNS endpoint that accepts connections and never answers (issue 16, item 1)', () => {
  it('fails the publisher and the sweeper at their time limit, and both resume when it answers again', async () => {
    const { outbox, received } = harness;
    // A first publish opens a keep-alive connection, which the freeze then leaves half-dead.
    const [first] = await outbox.transaction((_trx, changes) =>
      changes.record({ objectType: 'trainee', objectId: 'before', objectVersion: 1, changeType: 'UPDATE' }),
    );
    await outbox.flush();
    await received.waitForAll([first?.changeNumber ?? '']);

    proxy.freeze();
    const written = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        outbox.transaction((_trx, changes) =>
          changes.record({ objectType: 'trainee', objectId: `frozen-${i}`, objectVersion: 1, changeType: 'UPDATE' }),
        ),
      ),
    );
    const numbers = written.flat().map((change) => change.changeNumber);
    // Without a time limit this never resolves: the publish waits on the frozen endpoint.
    await outbox.flush();
    expect(await listChanges(testDb().db, { fromChangeNumber: numbers[0], published: false })).toHaveLength(5);
    const sweeper = outbox.createSweeper(createSemaphore(testDb().db), { graceMs: 0 });
    expect(await sweeper.runOnce()).toBe('ran');
    expect(await sweeper.runOnce()).toBe('ran');

    proxy.thaw();
    expect(await sweeper.runOnce()).toBe('ran');
    expect(await listChanges(testDb().db, { fromChangeNumber: numbers[0], published: false })).toEqual([]);
    await received.waitForAll(numbers);

    // The episode is logged once as it starts and once as it ends, not once per call or retry.
    expect(lines.filter((line) => line.msg.includes('does not answer'))).toHaveLength(1);
    expect(lines.filter((line) => line.msg.includes('answers again'))).toHaveLength(1);
  });
});
