import { useTestDatabase } from '@changeflow/test-support';
import { type Generated, Kysely, PostgresDialect, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateOutbox, type OutboxDatabase, recordChanges, recordWrite } from '../src/index.js';

interface TestTables extends OutboxDatabase {
  trainee: { id: string; body: unknown; version: Generated<number> };
}

const testDb = useTestDatabase<TestTables>('prepared_statements', async (db) => {
  await migrateOutbox(db);
  await sql`create table trainee (id text primary key, body jsonb not null, version integer not null default 1)`.execute(
    db,
  );
});

// One connection, so what the recording prepared is visible to the next query.
let db: Kysely<TestTables>;
beforeAll(() => {
  db = new Kysely<TestTables>({ dialect: new PostgresDialect({ pool: testDb().createPool(1) }) });
});
afterAll(() => db.destroy());

const preparedNames = async () =>
  (await sql<{ name: string }>`select name from pg_prepared_statements order by name`.execute(db)).rows
    .map((row) => row.name)
    .filter((name) => name.startsWith('changeflow_'));

const deallocateAll = () => sql`deallocate all`.execute(db);

const created = { objectType: 'trainee', objectId: 'id', objectVersion: 'version', changeType: 'CREATE' } as const;

describe('recording statements are prepared once per connection', () => {
  it('recordWrite names its statement, and runs it again by that name', async () => {
    await deallocateAll();
    for (const id of ['p-1', 'p-2', 'p-3']) {
      await recordWrite(db, db.insertInto('trainee').values({ id, body: '{}' }).returning(['id', 'version']), created);
    }
    expect(await preparedNames()).toHaveLength(1);
  });

  it('sends an UPDATE unnamed: a generic plan chosen while the table was small could outlive its size', async () => {
    await deallocateAll();
    await recordWrite(
      db,
      db.updateTable('trainee').set({ body: '{"a":1}' }).where('id', '=', 'p-1').returning(['id', 'version']),
      { ...created, changeType: 'UPDATE' },
    );
    expect(await preparedNames()).toEqual([]);
  });

  it('recordChanges in a transaction names its insert', async () => {
    await deallocateAll();
    for (const id of ['rc-1', 'rc-2']) {
      await db
        .transaction()
        .execute((trx) =>
          recordChanges(trx, { objectType: 'trainee', objectId: id, objectVersion: 1, changeType: 'UPDATE' }),
        );
    }
    expect(await preparedNames()).toHaveLength(1);
  });

  it('sends the text unnamed when preparedStatements is false (a pooler that cannot keep them)', async () => {
    await deallocateAll();
    await recordWrite(
      db,
      db.insertInto('trainee').values({ id: 'np-1', body: '{}' }).returning(['id', 'version']),
      created,
      { preparedStatements: false },
    );
    await recordChanges(
      db,
      { objectType: 'trainee', objectId: 'np-1', objectVersion: 2, changeType: 'UPDATE' },
      {
        preparedStatements: false,
      },
    );
    expect(await preparedNames()).toEqual([]);
  });
});

describe('a migration that changes what a prepared statement returns', () => {
  const insertAll = (id: string) => db.insertInto('trainee').values({ id, body: '{}' }).returningAll();

  it('outside a transaction: the write is sent again under a new name and succeeds', async () => {
    await recordWrite(db, insertAll('m-1'), created);
    await sql`alter table trainee add column note text`.execute(db);
    const { rows, changes } = await recordWrite(db, insertAll('m-2'), created);
    expect(rows[0]).toMatchObject({ id: 'm-2', note: null });
    expect(changes).toHaveLength(1);
    // The next call runs by the new name without an error.
    await recordWrite(db, insertAll('m-3'), created);
  });

  it('inside a transaction: that transaction fails with the database error, and a retry succeeds', async () => {
    const write = (id: string) => db.transaction().execute((trx) => recordWrite(trx, insertAll(id), created));
    await write('t-1');
    await sql`alter table trainee add column grade text`.execute(db);
    await expect(write('t-2')).rejects.toMatchObject({ code: '0A000' });
    const { rows } = await write('t-2');
    expect(rows[0]).toMatchObject({ id: 't-2', grade: null });
    expect(await db.selectFrom('trainee').select('id').where('id', '=', 't-2').execute()).toHaveLength(1);
  });
});
