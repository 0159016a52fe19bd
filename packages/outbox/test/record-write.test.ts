import { createSemaphore } from '@changeflow/semaphore';
import { testAwsClients, useTestDatabase } from '@changeflow/test-support';
import { type Generated, Kysely, PostgresDialect, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOutbox,
  InvalidChangeError,
  listChanges,
  migrateOutbox,
  type OutboxDatabase,
  recordWrite,
} from '../src/index.js';
import { outboxWithQueue, withConcurrentWriters } from './outbox-harness.js';

interface TestTables extends OutboxDatabase {
  trainee: { id: string; body: unknown; version: Generated<number> };
}

const testDb = useTestDatabase<TestTables>('record_write', async (db) => {
  await migrateOutbox(db);
  await sql`create table trainee (id text primary key, body jsonb not null, version integer not null default 1)`.execute(
    db,
  );
});
let harness: Awaited<ReturnType<typeof outboxWithQueue>>;

beforeAll(async () => {
  harness = await outboxWithQueue(testDb().db as unknown as Kysely<OutboxDatabase>);
});
afterAll(() => harness.close());

const insertTrainee = (db: Kysely<TestTables>, id: string) =>
  db
    .insertInto('trainee')
    .values({ id, body: JSON.stringify({ name: id }) })
    .returning(['id', 'version']);

const created = { objectType: 'trainee', objectId: 'id', objectVersion: 'version', changeType: 'CREATE' } as const;

const traineeIds = async (db: Kysely<TestTables>, prefix: string) =>
  (await db.selectFrom('trainee').select('id').where('id', 'like', `${prefix}%`).execute()).map((row) => row.id);

describe('recordWrite: the write and its change in one statement', () => {
  it('records one change per written row, with the id and version the write returned', async () => {
    const { db } = testDb();
    const { rows, changes } = await recordWrite(
      db,
      db
        .insertInto('trainee')
        .values([
          { id: 'one-a', body: '{}', version: 3 },
          { id: 'one-b', body: '{}', version: 7 },
        ])
        .returning(['id', 'version']),
      { ...created, userId: 'u1', traceparent: '00-abc-def-01' },
    );
    expect(rows).toEqual([
      { id: 'one-a', version: 3 },
      { id: 'one-b', version: 7 },
    ]);
    expect(changes.map((c) => [c.objectId, c.objectVersion])).toEqual([
      ['one-a', 3],
      ['one-b', 7],
    ]);
    // What the statement returned is what the change log holds.
    const logged = await listChanges(db, { fromChangeNumber: changes[0]?.changeNumber });
    expect(logged).toEqual(changes);
    expect(changes[0]).toMatchObject({ objectType: 'trainee', changeType: 'CREATE', userId: 'u1', publishedAt: null });
    expect(changes[0]?.traceparent).toBe('00-abc-def-01');
  });

  it('G1: the write and its change rows share one transaction id', async () => {
    const { db } = testDb();
    const { rows } = await recordWrite(
      db,
      db
        .insertInto('trainee')
        .values({ id: 'tx-1', body: '{}' })
        .returning(['id', 'version', sql<string>`pg_current_xact_id()::text`.as('tx')]),
      created,
    );
    const [change] = await db
      .selectFrom('changes')
      .select(sql<string>`tx_id::text`.as('tx'))
      .where('object_id', '=', 'tx-1')
      .execute();
    expect(change?.tx).toBe(rows[0]?.tx);
  });

  it('is one round trip on the pool: no BEGIN, no COMMIT, one statement', async () => {
    const statements: string[] = [];
    const pool = testDb().createPool(1);
    const db = new Kysely<TestTables>({
      dialect: new PostgresDialect({ pool }),
      log: (event) => {
        statements.push(event.query.sql);
      },
    });
    try {
      await recordWrite(db, insertTrainee(db, 'trip-1'), created);
    } finally {
      await db.destroy();
    }
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(/^\s*with w as \(insert into "trainee"/);
  });

  it('sends the recorded changes once, on the first row, not again on every row of a large write', async () => {
    const carried: unknown[] = [];
    const pool = testDb().createPool(1);
    // A plugin sees the rows as they came off the wire, before recordWrite strips its column.
    const db = new Kysely<TestTables>({ dialect: new PostgresDialect({ pool }) }).withPlugin({
      transformQuery: (args) => args.node,
      transformResult: async (args) => {
        for (const row of args.result.rows) carried.push(row['changeflow:changes']);
        return args.result;
      },
    });
    const ids = Array.from({ length: 200 }, (_, i) => `wide-${i}`);
    try {
      const { rows, changes } = await recordWrite(
        db,
        db
          .insertInto('trainee')
          .values(ids.map((id) => ({ id, body: '{}' })))
          .returning(['id', 'version']),
        created,
      );
      expect(rows.map((row) => row.id)).toEqual(ids);
      expect(changes.map((change) => change.objectId)).toEqual(ids);
    } finally {
      await db.destroy();
    }
    // 200 rows: one carries the 200 changes, the others nothing (not 200 × 200 changes to parse).
    expect(carried).toHaveLength(200);
    expect(carried.filter((value) => value !== null)).toHaveLength(1);
  });

  it('G1: a write that fails records no change', async () => {
    const { db } = testDb();
    await recordWrite(db, insertTrainee(db, 'dup'), created);
    await expect(recordWrite(db, insertTrainee(db, 'dup'), created)).rejects.toThrow(/duplicate key/);
    expect(await listChanges(db, { objectId: 'dup' })).toHaveLength(1);
  });

  it('G1: a change that cannot be recorded leaves no written row', async () => {
    const { db } = testDb();
    // The database refuses an empty object id; the write in the same statement goes with it.
    await expect(recordWrite(db, insertTrainee(db, ''), created)).rejects.toThrow(/changes_object_id_check/);
    expect(await traineeIds(db, '')).not.toContain('');
  });

  it('G1: a rolled-back transaction leaves neither the write nor its change', async () => {
    const { db } = testDb();
    await expect(
      db.transaction().execute(async (trx) => {
        await recordWrite(trx, insertTrainee(trx, 'rolled-back'), created);
        throw new Error('the caller failed');
      }),
    ).rejects.toThrow('the caller failed');
    expect(await traineeIds(db, 'rolled-back')).toEqual([]);
    expect(await listChanges(db, { objectId: 'rolled-back' })).toEqual([]);
  });

  it('records nothing for a write that touched no row, and takes a fixed version', async () => {
    const { db } = testDb();
    const none = await recordWrite(
      db,
      db.updateTable('trainee').set({ version: 2 }).where('id', '=', 'missing').returning('id'),
      { objectType: 'trainee', objectId: 'id', objectVersion: 2, changeType: 'UPDATE' },
    );
    expect(none).toEqual({ rows: [], changes: [] });
    expect(await listChanges(db, { objectId: 'missing' })).toEqual([]);
    await recordWrite(db, insertTrainee(db, 'gone'), created);
    const deleted = await recordWrite(db, db.deleteFrom('trainee').where('id', '=', 'gone').returning('id'), {
      objectType: 'trainee',
      objectId: 'id',
      objectVersion: 9,
      changeType: 'DELETE',
    });
    expect(deleted.changes).toMatchObject([{ objectId: 'gone', objectVersion: 9, changeType: 'DELETE' }]);
  });

  it('records an upsert as CREATE or UPDATE from a column the write returns', async () => {
    const { db } = testDb();
    const upsert = (id: string) =>
      db
        .insertInto('trainee')
        .values({ id, body: '{}' })
        .onConflict((oc) => oc.column('id').doUpdateSet({ version: sql`trainee.version + 1` }))
        .returning(['id', 'version', sql<boolean>`xmax = 0`.as('created')]);
    const change = {
      objectType: 'trainee',
      objectId: 'id',
      objectVersion: 'version',
      changeType: { createdColumn: 'created' },
    } as const;
    const first = await recordWrite(db, upsert('upsert-1'), change);
    const second = await recordWrite(db, upsert('upsert-1'), change);
    expect([...first.changes, ...second.changes].map((c) => [c.changeType, c.objectVersion])).toEqual([
      ['CREATE', 1],
      ['UPDATE', 2],
    ]);
  });

  it('refuses an invalid change before writing, naming the field', async () => {
    const { db } = testDb();
    const attempt = recordWrite(db, insertTrainee(db, 'invalid'), { ...created, objectType: 'Not A Type' });
    await expect(attempt).rejects.toThrow(InvalidChangeError);
    await expect(attempt).rejects.toThrow(/objectType = "Not A Type"/);
    expect(await traineeIds(db, 'invalid')).toEqual([]);
  });
});

describe('outbox.write and changes.recordWrite: the fast path', () => {
  it('publishes what outbox.write recorded, after its commit, and marks it published', async () => {
    const { outbox, received } = harness;
    const db = testDb().db;
    const { changes } = await outbox.write(insertTrainee(db, 'fast-1'), created);
    await received.waitForAll(changes.map((c) => c.changeNumber));
    await outbox.flush();
    const [logged] = await listChanges(db, { objectId: 'fast-1' });
    expect(logged?.publishedAt).not.toBeNull();
  });

  it('G2: inside outbox.transaction nothing is published until the commit', async () => {
    const { outbox, received } = harness;
    const db = testDb().db;
    let commit: () => void = () => {};
    const mayCommit = new Promise<void>((resolve) => {
      commit = resolve;
    });
    let recorded = '';
    const writing = outbox.transaction(async (trx, changes) => {
      const { changes: rows } = await changes.recordWrite(
        insertTrainee(trx as unknown as Kysely<TestTables>, 'open-tx'),
        created,
      );
      recorded = rows[0]?.changeNumber ?? '';
      await mayCommit;
    });
    await expect.poll(() => recorded).not.toBe('');
    const sweeper = outbox.createSweeper(createSemaphore(db), { graceMs: 0 });
    expect(await sweeper.runOnce()).toBe('ran');
    await received.receiveOnce(2);
    expect(received.numbers.has(recorded)).toBe(false);
    commit();
    await writing;
    await received.waitForAll([recorded]);
  });

  it('G1: outbox.transaction rolled back after recordWrite publishes nothing and keeps nothing', async () => {
    const { outbox, received } = harness;
    const db = testDb().db;
    await expect(
      outbox.transaction(async (trx, changes) => {
        await changes.recordWrite(insertTrainee(trx as unknown as Kysely<TestTables>, 'never'), created);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    const later = await outbox.write(insertTrainee(db, 'after-never'), created);
    await received.waitForAll(later.changes.map((c) => c.changeNumber));
    await received.receiveOnce(1);
    expect(received.objectIds.has('never')).toBe(false);
    expect(await traineeIds(db, 'never')).toEqual([]);
    expect(await listChanges(db, { objectId: 'never' })).toEqual([]);
  });

  it('outbox.oneStatement: one recordWrite, one round trip, published after', async () => {
    const { received, topicPrefix } = harness;
    const statements: string[] = [];
    const db = new Kysely<TestTables>({
      dialect: new PostgresDialect({ pool: testDb().createPool(1) }),
      log: (event) => {
        statements.push(event.query.sql.trim());
      },
    });
    const aws = testAwsClients();
    const outbox = createOutbox({ db, sns: aws.sns }, { topicPrefix });
    try {
      const { changes } = await outbox.oneStatement((root, recorder) =>
        recorder.recordWrite(insertTrainee(root, 'one-statement'), created),
      );
      expect(statements).toEqual([expect.stringMatching(/^with w as \(insert into "trainee"/)]);
      await received.waitForAll(changes.map((c) => c.changeNumber));
    } finally {
      await outbox.flush();
      await db.destroy();
      aws.destroy();
    }
  });

  it('outbox.oneStatement refuses a second write and record(); what committed is still published', async () => {
    const { outbox, received } = harness;
    const db = testDb().db;
    let first: string | undefined;
    await expect(
      outbox.oneStatement(async (_root, recorder) => {
        const { changes } = await recorder.recordWrite(insertTrainee(db, 'solo-first'), created);
        first = changes[0]?.changeNumber;
        await recorder.recordWrite(insertTrainee(db, 'solo-second'), created);
      }),
    ).rejects.toThrow(/sends one write; a second would commit apart from the first: use outbox.transaction/);
    await expect(
      outbox.oneStatement((_root, recorder) =>
        recorder.record({ objectType: 'trainee', objectId: 'solo-record', objectVersion: 1, changeType: 'CREATE' }),
      ),
    ).rejects.toMatchObject({ code: 'USAGE', message: expect.stringMatching(/use outbox.transaction/) });
    // The first write committed on its own: it stays, and the fast path publishes it.
    expect(await traineeIds(db, 'solo-')).toEqual(['solo-first']);
    expect(await listChanges(db, { objectId: 'solo-record' })).toEqual([]);
    await received.waitForAll([first ?? 'none']);
  });

  it('G3d: 32 concurrent writers: every write has its change and every change reaches the queue', () =>
    withConcurrentWriters<TestTables>(testDb(), harness.topicPrefix, 32, async (outbox, db) => {
      const numbers = await Promise.all(
        Array.from({ length: 32 }, async (_, writer) => {
          const mine: string[] = [];
          for (let i = 0; i < 10; i += 1) {
            const { changes } = await outbox.write(insertTrainee(db, `cw-${writer}-${i}`), created);
            mine.push(...changes.map((c) => c.changeNumber));
          }
          return mine;
        }),
      );
      const all = numbers.flat();
      expect(new Set(all).size).toBe(320);
      expect(await traineeIds(db, 'cw-')).toHaveLength(320);
      const logged = await db
        .selectFrom('changes')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('object_id', 'like', 'cw-%')
        .executeTakeFirstOrThrow();
      expect(Number(logged.n)).toBe(320);
      await harness.received.waitForAll(all, 30_000);
    }));
});
