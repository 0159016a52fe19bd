import { createSemaphore } from '@changeflow/semaphore';
import { useTestDatabase } from '@changeflow/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listChanges, migrateOutbox, type OutboxDatabase } from '../src/index.js';
import { outboxWithQueue } from './outbox-harness.js';

const testDb = useTestDatabase<OutboxDatabase>('fastpath', (db) => migrateOutbox(db));
let harness: Awaited<ReturnType<typeof outboxWithQueue>>;

beforeAll(async () => {
  harness = await outboxWithQueue(testDb().db);
});
afterAll(() => harness.close());

describe('the fast path', () => {
  it('publishes a transaction’s changes after it commits and marks them published', async () => {
    const { outbox, received } = harness;
    const changeNumbers = await outbox.transaction(async (_trx, changes) => {
      const rows = await changes.record([
        { objectType: 'trainee', objectId: 'fast-1', objectVersion: 1, changeType: 'CREATE' },
        { objectType: 'trainee', objectId: 'fast-2', objectVersion: 1, changeType: 'CREATE' },
      ]);
      return rows.map((row) => row.changeNumber);
    });
    await received.waitForAll(changeNumbers);
    await outbox.flush();
    const rows = await listChanges(testDb().db, { objectType: 'trainee', fromChangeNumber: changeNumbers[0] });
    expect(
      rows.filter((row) => changeNumbers.includes(row.changeNumber)).every((row) => row.publishedAt !== null),
    ).toBe(true);
  });

  it('G1: a rolled-back transaction publishes nothing', async () => {
    const { outbox, received } = harness;
    await expect(
      outbox.transaction(async (_trx, changes) => {
        await changes.record({ objectType: 'trainee', objectId: 'never', objectVersion: 1, changeType: 'CREATE' });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    // A later committed change arrives; the rolled-back one never does.
    const later = await outbox.transaction((_trx, changes) =>
      changes.record({ objectType: 'trainee', objectId: 'after-rollback', objectVersion: 1, changeType: 'CREATE' }),
    );
    await received.waitForAll(later.map((c) => c.changeNumber));
    await received.receiveOnce(1);
    expect(received.objectIds.has('never')).toBe(false);
  });

  it('G2: while the writing transaction is open, the queue receives nothing', async () => {
    const { outbox, received } = harness;
    let commit: () => void = () => {};
    const mayCommit = new Promise<void>((resolve) => {
      commit = resolve;
    });
    let recorded = '';
    const writing = outbox.transaction(async (_trx, changes) => {
      const [row] = await changes.record({
        objectType: 'trainee',
        objectId: 'open-tx',
        objectVersion: 1,
        changeType: 'CREATE',
      });
      recorded = row?.changeNumber ?? '';
      await mayCommit;
    });
    // A sweeper with no grace period, running now, must not see the uncommitted row either.
    const sweeper = outbox.createSweeper(createSemaphore(testDb().db), { graceMs: 0 });
    expect(await sweeper.runOnce()).toBe('ran');
    await received.receiveOnce(2);
    expect(recorded).not.toBe('');
    expect(received.numbers.has(recorded)).toBe(false);
    commit();
    await writing;
    await received.waitForAll([recorded]);
  });

  it('shares PublishBatch calls between concurrent transactions and keeps every change', async () => {
    const { outbox, received } = harness;
    const before = await outbox.metrics.publishDuration.get();
    const callsBefore = before.values.find((v) => v.metricName?.endsWith('_count'))?.value ?? 0;
    const all = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        outbox.transaction((_trx, changes) =>
          changes.record({ objectType: 'trainee', objectId: `shared-${i}`, objectVersion: 1, changeType: 'UPDATE' }),
        ),
      ),
    );
    await outbox.flush();
    const after = await outbox.metrics.publishDuration.get();
    const calls = (after.values.find((v) => v.metricName?.endsWith('_count'))?.value ?? 0) - callsBefore;
    expect(calls).toBeLessThan(40);
    await received.waitForAll(all.flat().map((c) => c.changeNumber));
  });
});

describe('lingering: calls that are not full wait to share', () => {
  const publishCalls = async (outbox: typeof harness.outbox) =>
    (await outbox.metrics.publishDuration.get()).values.find((v) => v.metricName?.endsWith('_count'))?.value ?? 0;
  const commitOne = (outbox: typeof harness.outbox, id: string) =>
    outbox.transaction((_trx, changes) =>
      changes.record({ objectType: 'trainee', objectId: id, objectVersion: 1, changeType: 'UPDATE' }),
    );
  const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

  it('sends a change after a quiet spell at once, and the changes of the next lingerMs in one call', async () => {
    const lingering = await outboxWithQueue(testDb().db, { publisher: { lingerMs: 1_000 } });
    try {
      const { outbox, received } = lingering;
      const first = await commitOne(outbox, 'linger-first');
      await outbox.flush();
      expect(await publishCalls(outbox)).toBe(1);
      // Each commit in a turn of its own: with no linger, the first would go alone as soon as the
      // previous call returned; with it, all wait for the window the first call opened.
      const later = [];
      for (let i = 0; i < 5; i += 1) {
        later.push(await commitOne(outbox, `linger-${i}`));
        await nextTurn();
      }
      await outbox.flush();
      expect(await publishCalls(outbox)).toBe(2);
      await received.waitForAll([...first, ...later.flat()].map((change) => change.changeNumber));
    } finally {
      await lingering.close();
    }
  });
});
