import { ChangeflowError } from '@changeflow/errors';
import { TEST_DATABASE_URL, useTestDatabase, withSearchPath } from '@changeflow/test-support';
import { Kysely, type Migration, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { runMigrations } from '../src/index.js';

const testDb = useTestDatabase<unknown>('migrator');

/** A migration that creates `table`, and `ran` remembers it ran. */
function createTable(table: string, ran: string[]): Migration {
  return {
    async up(db) {
      ran.push(table);
      await sql`create table ${sql.table(table)} (id integer primary key)`.execute(db);
    },
  };
}

async function recorded(tableName: string): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select name from ${sql.table(tableName)} order by name`.execute(testDb().db);
  return rows.map((row) => row.name);
}

describe('runMigrations', () => {
  it("runs a set in order in the connection's schema, recorded in the set's own table, and only once", async () => {
    const ran: string[] = [];
    const set = {
      migrations: { '0002-second': createTable('second', ran), '0001-first': createTable('first', ran) },
      tableName: 'example_migration',
      what: 'example',
    };
    await runMigrations(testDb().db, set);
    await runMigrations(testDb().db, set);
    expect(ran).toEqual(['first', 'second']);
    expect(await recorded('example_migration')).toEqual(['0001-first', '0002-second']);
    const { rows } = await sql<{ table_name: string }>`
      select table_name from information_schema.tables
       where table_schema = ${testDb().schema} and table_name like 'example_migration%' order by 1`.execute(
      testDb().db,
    );
    expect(rows.map((row) => row.table_name)).toEqual(['example_migration', 'example_migration_lock']);
  });

  it('keeps one bookkeeping table per set: a second set with its own table runs beside the first', async () => {
    const ran: string[] = [];
    await runMigrations(testDb().db, {
      migrations: { '0001-first': createTable('other_first', ran) },
      tableName: 'other_migration',
      what: 'other',
    });
    expect(ran).toEqual(['other_first']);
    expect(await recorded('other_migration')).toEqual(['0001-first']);
    expect(await recorded('example_migration')).toEqual(['0001-first', '0002-second']);
  });

  it('names the set, the failed migration and the schema, and rolls the whole run back', async () => {
    const ran: string[] = [];
    const failing: Migration = {
      async up(db) {
        await sql`select * from no_such_table`.execute(db);
      },
    };
    const error = await runMigrations(testDb().db, {
      migrations: { '0001-ok': createTable('ok_table', ran), '0002-broken': failing },
      tableName: 'failing_migration',
      what: 'failing',
    }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ChangeflowError);
    expect((error as ChangeflowError).code).toBe('MIGRATION_FAILED');
    expect((error as Error).message).toMatch(
      new RegExp(`^failing migration 0002-broken failed in schema ${testDb().schema}: .*no_such_table.*migrate again`),
    );
    // Postgres DDL is transactional, so Kysely runs the pending migrations in one transaction.
    expect(ran).toEqual(['ok_table']);
    expect(await recorded('failing_migration')).toEqual([]);
    const { rows } = await sql`select 1 from information_schema.tables
       where table_schema = ${testDb().schema} and table_name = 'ok_table'`.execute(testDb().db);
    expect(rows).toEqual([]);
  });

  it('migrates while other schemas change beside it: columns renamed, schemas created and dropped', async () => {
    const { db, schema } = testDb();
    const columns = Array.from({ length: 40 }, (_, i) => `c${i}`);
    const renamed = `${schema}_renamed`;
    await sql`create schema ${sql.id(renamed)}`.execute(db);
    await sql`create table ${sql.id(renamed, 't')} (id serial primary key, ${sql.join(columns.map((c) => sql`${sql.id(c)} text`))})`.execute(
      db,
    );
    // Kysely 0.28's own introspection read every table of every schema, and a rename or a drop
    // elsewhere during that read failed the run (undefined_column, undefined_table, invalid_schema_name).
    let isDone = false;
    const churn = async (step: (round: number) => Promise<void>) => {
      for (let round = 0; !isDone; round += 1) await step(round);
    };
    const renaming = churn(async (round) => {
      const column = columns[round % columns.length] ?? 'c0';
      await sql`alter table ${sql.id(renamed, 't')} rename column ${sql.id(column)} to ${sql.id(`${column}_x`)}`.execute(
        db,
      );
      await sql`alter table ${sql.id(renamed, 't')} rename column ${sql.id(`${column}_x`)} to ${sql.id(column)}`.execute(
        db,
      );
    });
    const dropping = churn(async (round) => {
      const other = sql.id(`${schema}_dropped${round}`);
      await sql`create schema ${other}`.execute(db);
      await sql`create table ${other}.t (id serial primary key, ${sql.join(columns.map((c) => sql`${sql.id(c)} text`))})`.execute(
        db,
      );
      await sql`drop schema ${other} cascade`.execute(db);
    });
    try {
      for (let run = 0; run < 30; run += 1) {
        const own = `${schema}_run${run}`;
        await sql`create schema ${sql.id(own)}`.execute(db);
        const runDb = new Kysely<unknown>({
          dialect: new PostgresDialect({
            pool: new pg.Pool({ connectionString: withSearchPath(TEST_DATABASE_URL, own), max: 1 }),
          }),
        });
        try {
          await runMigrations(runDb, {
            migrations: { '0001-first': createTable('first', []) },
            tableName: 'churn_migration',
            what: 'churn',
          });
        } finally {
          await runDb.destroy();
        }
      }
    } finally {
      isDone = true;
      await Promise.all([renaming, dropping]);
    }
  });

  it('refuses a connection with no current schema and says to set search_path', async () => {
    const db = new Kysely<unknown>({
      dialect: new PostgresDialect({
        pool: new pg.Pool({
          connectionString: withSearchPath(TEST_DATABASE_URL, 'no_such_schema_for_migrator'),
          max: 1,
        }),
      }),
    });
    try {
      await expect(
        runMigrations(db, { migrations: {}, tableName: 'nowhere_migration', what: 'nowhere' }),
      ).rejects.toThrow(/cannot migrate the nowhere: the connection has no current schema; set search_path/);
    } finally {
      await db.destroy();
    }
  });
});
