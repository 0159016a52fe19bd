import { useTestDatabase } from '@changeflow/test-support';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { InvalidChangeError, listChanges, migrateOutbox, type OutboxDatabase, recordChanges } from '../src/index.js';

const testDb = useTestDatabase<OutboxDatabase>('record', (db) => migrateOutbox(db));

describe('recordChanges', () => {
  it('records many changes in one insert with their transaction id', async () => {
    const { db } = testDb();
    const recorded = await db.transaction().execute(async (trx) => {
      const changes = await recordChanges(trx, [
        { objectType: 'trainee', objectId: 'a', objectVersion: 1, changeType: 'CREATE', userId: 'u1' },
        { objectType: 'trainee', objectId: 'b', objectVersion: 4, changeType: 'DELETE', traceparent: '00-abc-def-01' },
      ]);
      const { rows } = await sql<{ tx: string }>`select pg_current_xact_id()::text as tx`.execute(trx);
      const txIds = await trx.selectFrom('changes').select('tx_id').where('object_id', 'in', ['a', 'b']).execute();
      expect(new Set(txIds.map((row) => String(row.tx_id)))).toEqual(new Set([rows[0]?.tx]));
      return changes;
    });
    expect(recorded).toHaveLength(2);
    expect(BigInt(recorded[1]?.changeNumber ?? 0)).toBeGreaterThan(BigInt(recorded[0]?.changeNumber ?? 0));
    expect(recorded[0]).toMatchObject({ objectId: 'a', objectVersion: 1, userId: 'u1', publishedAt: null });
    expect(recorded[1]).toMatchObject({ changeType: 'DELETE', traceparent: '00-abc-def-01' });
  });

  it('G1: a rolled-back transaction leaves no change row', async () => {
    const { db } = testDb();
    await expect(
      db.transaction().execute(async (trx) => {
        await recordChanges(trx, {
          objectType: 'trainee',
          objectId: 'rolled-back',
          objectVersion: 1,
          changeType: 'CREATE',
        });
        throw new Error('the write failed');
      }),
    ).rejects.toThrow('the write failed');
    expect(await listChanges(db, { objectId: 'rolled-back' })).toEqual([]);
  });

  it('rejects an invalid change naming its index and field, and records none of the batch', async () => {
    const { db } = testDb();
    const attempt = db.transaction().execute((trx) =>
      recordChanges(trx, [
        { objectType: 'trainee', objectId: 'fine', objectVersion: 1, changeType: 'CREATE' },
        { objectType: 'Not A Type', objectId: 'bad', objectVersion: -1, changeType: 'CREATE' },
      ]),
    );
    await expect(attempt).rejects.toThrow(InvalidChangeError);
    await expect(attempt).rejects.toThrow(/change #1 is invalid: objectType = "Not A Type": .*objectVersion = -1/);
    expect(await listChanges(db, { objectId: 'fine' })).toEqual([]);
  });
});

describe('listChanges', () => {
  it('narrows the change log by range, type, object, time and publication', async () => {
    const { db } = testDb();
    const recorded = await recordChanges(
      db,
      Array.from({ length: 6 }, (_, i) => ({
        objectType: i % 2 === 0 ? 'log-even' : 'log-odd',
        objectId: `log-${i % 3}`,
        objectVersion: i + 1,
        changeType: 'UPDATE' as const,
      })),
    );
    const numbers = recorded.map((change) => change.changeNumber);
    const first = numbers[0] ?? '';
    const last = numbers[5] ?? '';
    const range = await listChanges(db, { fromChangeNumber: numbers[1], toChangeNumber: numbers[3] });
    expect(range.map((c) => c.changeNumber)).toEqual(numbers.slice(1, 4));
    expect((await listChanges(db, { objectType: 'log-even' })).map((c) => c.objectVersion)).toEqual([1, 3, 5]);
    expect((await listChanges(db, { objectType: 'log-odd', objectId: 'log-0' })).map((c) => c.objectVersion)).toEqual([
      4,
    ]);
    expect(await listChanges(db, { fromChangeNumber: first, toChangeNumber: last, limit: 2 })).toHaveLength(2);
    expect(await listChanges(db, { since: new Date(Date.now() + 60_000) })).toEqual([]);
    expect((await listChanges(db, { fromChangeNumber: first, published: false })).length).toBe(6);
    expect(await listChanges(db, { fromChangeNumber: first, published: true })).toEqual([]);
  });
});
