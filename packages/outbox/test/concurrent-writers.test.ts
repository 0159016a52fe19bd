import { testAwsClients, useTestDatabase, withManyConnections } from '@changeflow/test-support';
import { Kysely, PostgresDialect } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutbox, migrateOutbox, type OutboxDatabase } from '../src/index.js';
import { outboxWithQueue } from './outbox-harness.js';

const testDb = useTestDatabase<OutboxDatabase>('concurrent', (db) => migrateOutbox(db));
let harness: Awaited<ReturnType<typeof outboxWithQueue>>;

beforeAll(async () => {
  harness = await outboxWithQueue(testDb().db);
});
afterAll(() => harness.close());

describe('32 concurrent writers', () => {
  it('G3d: every change number reaches the subscribed queue at least once', () =>
    withManyConnections(async () => {
      const { received, topicPrefix } = harness;
      // Each writer its own connection, interleaving commits; each with several transactions.
      const pool = testDb().createPool(32);
      const db = new Kysely<OutboxDatabase>({ dialect: new PostgresDialect({ pool }) });
      const aws = testAwsClients();
      const outbox = createOutbox({ db, sns: aws.sns }, { topicPrefix });
      try {
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
        await received.waitForAll(all, 30_000);
      } finally {
        await outbox.flush();
        await db.destroy();
        aws.destroy();
      }
    }));
});
