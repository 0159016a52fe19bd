import { createSemaphore } from '@changeflow/semaphore';
import { useTestDatabase } from '@changeflow/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listChanges, migrateOutbox, type OutboxDatabase, recordChanges } from '../src/index.js';
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
  /** Commits one change without publishing it; `outbox.afterCommit` publishes it when the test says. */
  const commitOne = (id: string) =>
    testDb()
      .db.transaction()
      .execute((trx) =>
        recordChanges(trx, { objectType: 'trainee', objectId: id, objectVersion: 1, changeType: 'UPDATE' }),
      );
  const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

  it('under load, sends what commits within lingerMs of the last call in one call; alone, at once', async () => {
    const lingering = await outboxWithQueue(testDb().db, { publisher: { lingerMs: 1_000 } });
    try {
      const { outbox, received } = lingering;
      // One transaction at a time: each goes at once, however soon after the last.
      const alone = [await commitOne('alone-0'), await commitOne('alone-1')];
      for (const changes of alone) await outbox.afterCommit(changes);
      expect(await publishCalls(outbox)).toBe(2);
      // Two transactions at once is load: they wait for the window the last call opened, and those
      // that commit meanwhile, each in a turn of its own, join them.
      const later = [await commitOne('linger-a'), await commitOne('linger-b')];
      const published = later.map((changes) => outbox.afterCommit(changes));
      for (let i = 0; i < 3; i += 1) {
        const changes = await commitOne(`linger-${i}`);
        later.push(changes);
        published.push(outbox.afterCommit(changes));
        await nextTurn();
      }
      await Promise.all(published);
      await outbox.flush();
      expect(await publishCalls(outbox)).toBe(3);
      await received.waitForAll([...alone.flat(), ...later.flat()].map((change) => change.changeNumber));
    } finally {
      await lingering.close();
    }
  });
});
