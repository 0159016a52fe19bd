import { runMigrations } from '@changeflow/migrator';
import { migrateOutbox, outboxMigrations } from '@changeflow/outbox';
import { type TestDatabase, useTestDatabase } from '@changeflow/test-support';
import { type Kysely, type Migration, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { CONSUMER_MIGRATION_TABLE, type ConsumerDatabase, migrateConsumer, recordFailure } from '../src/index.js';

/** A write service's database: the outbox only. */
const writeServiceDb = useTestDatabase<unknown>('consumer_mig_write');
/** A fresh deployment's database: the outbox's and the consumer's migrations. */
const freshDb = useTestDatabase<ConsumerDatabase>('consumer_mig_fresh');
/** A database the outbox migrated before `failed_messages` moved to the consumer. */
const upgradedDb = useTestDatabase<ConsumerDatabase>('consumer_mig_upgraded');

/**
 * The outbox's `0002-failed-messages` as 0.1 shipped it, which created the table the consumer owns
 * now. Kept here verbatim so the upgrade path is tested against what databases really hold.
 */
const shippedOutbox0002: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`
      create table failed_messages (
        worker          text not null,
        message_id      text not null,
        change_numbers  bigint[] not null default '{}',
        object_type     text,
        object_ids      text[] not null default '{}',
        error           text not null,
        attempts        integer not null default 1,
        dead_lettered   boolean not null default false,
        first_failed_at timestamptz not null default now(),
        last_failed_at  timestamptz not null default now(),
        primary key (worker, message_id)
      )`.execute(db);
    await sql`create index failed_messages_last_failed_idx on failed_messages (worker, last_failed_at desc)`.execute(
      db,
    );
  },
};

/** `failed_messages` as the catalog describes it: columns with types, defaults and nullability, and indexes. */
async function failedMessagesShape(testDb: TestDatabase<unknown>) {
  const columns = await sql<{ column_name: string; data_type: string; is_nullable: string; column_default: string }>`
    select column_name, data_type, is_nullable, column_default from information_schema.columns
     where table_schema = ${testDb.schema} and table_name = 'failed_messages' order by ordinal_position`.execute(
    testDb.db,
  );
  const indexes = await sql<{ indexname: string; indexdef: string }>`
    select indexname, replace(indexdef, ${testDb.schema}, 'S') as indexdef from pg_indexes
     where schemaname = ${testDb.schema} and tablename = 'failed_messages' order by indexname`.execute(testDb.db);
  return { columns: columns.rows, indexes: indexes.rows };
}

async function recorded(db: Kysely<unknown>, table: string): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`select name from ${sql.table(table)} order by name`.execute(db);
  return rows.map((row) => row.name);
}

describe('migrateConsumer', () => {
  it("leaves a write service's database without failed_messages: migrateOutbox no longer creates it", async () => {
    const { db, schema } = writeServiceDb();
    await migrateOutbox(db);
    const { rows } = await sql<{ table_name: string }>`
      select table_name from information_schema.tables where table_schema = ${schema} order by 1`.execute(db);
    expect(rows.map((row) => row.table_name)).not.toContain('failed_messages');
    expect(rows.map((row) => row.table_name)).toContain('changes');
  });

  it('creates failed_messages in a fresh database, recorded in its own bookkeeping table, and runs again unchanged', async () => {
    const { db } = freshDb();
    await migrateOutbox(db);
    await migrateConsumer(db);
    await migrateConsumer(db);
    expect(await recorded(db as Kysely<unknown>, CONSUMER_MIGRATION_TABLE)).toEqual(['0001-failed-messages']);
    await recordFailure(db, {
      worker: 'w',
      messageId: 'm-1',
      changeNumbers: ['1'],
      objectType: 'trainee',
      objectIds: ['t-1'],
      error: 'boom',
      attempts: 1,
      deadLettered: true,
    });
    expect(await db.selectFrom('failed_messages').select(['message_id', 'dead_lettered']).execute()).toEqual([
      { message_id: 'm-1', dead_lettered: true },
    ]);
  });

  it('upgrades a database the old outbox set migrated: its rows stay, both sets record, the table is the same', async () => {
    const { db } = upgradedDb();
    const untyped = db as Kysely<unknown>;
    // What 0.1's migrateOutbox did: the outbox set, with 0002 creating failed_messages.
    await runMigrations(untyped, {
      migrations: { ...outboxMigrations, '0002-failed-messages': shippedOutbox0002 },
      tableName: 'changeflow_outbox_migration',
      what: 'outbox',
    });
    await db
      .insertInto('failed_messages')
      .values({
        worker: 'w',
        message_id: 'before-upgrade',
        change_numbers: ['7'],
        object_type: 'trainee',
        object_ids: ['t-7'],
        error: 'recorded by the old runtime',
        attempts: 3,
      })
      .execute();

    // The new code: Kysely accepts the recorded 0002 (now a no-op) and the consumer's set adopts the table.
    await migrateOutbox(db);
    await migrateConsumer(db);

    expect(await recorded(untyped, 'changeflow_outbox_migration')).toEqual([
      '0001-changes',
      '0002-failed-messages',
      '0003-changes-tx-id',
    ]);
    expect(await recorded(untyped, CONSUMER_MIGRATION_TABLE)).toEqual(['0001-failed-messages']);
    expect(await db.selectFrom('failed_messages').select(['message_id', 'attempts']).execute()).toEqual([
      { message_id: 'before-upgrade', attempts: 3 },
    ]);
    const fresh = freshDb() as TestDatabase<unknown>;
    expect(await failedMessagesShape(upgradedDb() as TestDatabase<unknown>)).toEqual(await failedMessagesShape(fresh));
  });
});
