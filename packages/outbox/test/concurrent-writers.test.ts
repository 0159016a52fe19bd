import { useTestDatabase } from '@changeflow/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateOutbox, type OutboxDatabase } from '../src/index.js';
import { outboxWithQueue, withConcurrentWriters } from './outbox-harness.js';

const testDb = useTestDatabase<OutboxDatabase>('concurrent', (db) => migrateOutbox(db));
let harness: Awaited<ReturnType<typeof outboxWithQueue>>;

beforeAll(async () => {
  harness = await outboxWithQueue(testDb().db);
});
afterAll(() => harness.close());

describe('32 concurrent writers', () => {
  it('G3d: every change number reaches the subscribed queue at least once', () =>
    // Each writer its own connection, interleaving commits; each with several transactions.
    withConcurrentWriters<OutboxDatabase>(testDb(), harness.topicPrefix, 32, async (outbox) => {
      const perWriter = await Promise.all(
        Array.from({ length: 32 }, async (_, writer) => {
          const numbers: string[] = [];
          for (let i = 0; i < 5; i += 1) {
            const rows = await outbox.transaction((_trx, changes) =>
              changes.record([
                { objectType: 'trainee', objectId: `w${writer}-${i}`, objectVersion: 1, changeType: 'CREATE' },
                { objectType: 'trainee', objectId: `w${writer}-${i}`, objectVersion: 2, changeType: 'UPDATE' },
              ]),
            );
            numbers.push(...rows.map((row) => row.changeNumber));
          }
          return numbers;
        }),
      );
      const all = perWriter.flat();
      expect(new Set(all).size).toBe(32 * 5 * 2);
      await harness.received.waitForAll(all, 30_000);
    }));
});
