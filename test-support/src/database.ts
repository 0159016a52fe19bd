import { randomBytes } from 'node:crypto';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { TEST_DATABASE_URL } from './test-env.js';

/** A Postgres schema of one test file's own, and the ways to reach it. */
export interface TestDatabase<DB> {
  /** The schema's name, e.g. `t_outbox_1a2b3c4d`. */
  readonly schema: string;
  /** A connection string whose `search_path` is the schema: hand it to child processes. */
  readonly url: string;
  /** Kysely on a pool whose connections all use the schema. */
  readonly db: Kysely<DB>;
  /** A fresh pool on the schema, for tests that need connections of their own (close it yourself). */
  createPool(max?: number): pg.Pool;
}

/**
 * Gives the calling test file a fresh schema in the test database (`TEST_DATABASE_URL`), created in
 * `beforeAll` and dropped in `afterAll` when every test passed, with the schemas named after it
 * (`<schema>_…`). After a failure they are kept for inspection, and the name is printed. `migrate` runs once after the schema exists.
 *
 * @example
 * const testDb = useTestDatabase<OutboxDatabase>('outbox', (db) => migrateOutbox(db));
 * it('…', async () => { await testDb().db.selectFrom('changes')… });
 */
export function useTestDatabase<DB>(
  label: string,
  migrate?: (db: Kysely<DB>) => Promise<void>,
): () => TestDatabase<DB> {
  let current: TestDatabase<DB> | undefined;
  let pool: pg.Pool | undefined;
  let failed = false;
  beforeAll(async () => {
    const schema = `t_${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    try {
      await admin.query(`create schema ${schema}`);
    } finally {
      await admin.end();
    }
    const url = withSearchPath(TEST_DATABASE_URL, schema);
    const createPool = (max = 10) => new pg.Pool({ connectionString: url, max });
    pool = createPool();
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    current = { schema, url, db, createPool };
    await migrate?.(db);
  });
  afterEach((context) => {
    if (context.task.result?.state === 'fail') failed = true;
  });
  afterAll(async () => {
    if (!current) return;
    const { schema, db } = current;
    if (failed) {
      console.error(`kept schema ${schema} in ${new URL(TEST_DATABASE_URL).pathname.slice(1)} for inspection`);
    } else {
      await dropSchemaAndDerived(db, schema);
    }
    await db.destroy();
  });
  return () => {
    if (!current) throw new Error('useTestDatabase: the schema exists only inside tests and hooks');
    return current;
  };
}

/**
 * Drops `schema` and the schemas a test derived from its name (`<schema>_idx`, `<schema>_fresh1`, …).
 * Left behind, they would pile up run after run in the test database.
 */
async function dropSchemaAndDerived<DB>(db: Kysely<DB>, schema: string): Promise<void> {
  const { rows } = await sql<{ name: string }>`
    select nspname as name from pg_namespace
    where nspname = ${schema} or starts_with(nspname, ${`${schema}_`})`.execute(db);
  for (const { name } of rows) await sql`drop schema if exists ${sql.id(name)} cascade`.execute(db);
}

/**
 * `url` with `?options=-c search_path=<schema>`, which pg passes to the server at connect, and, unless
 * `url` names one, the schema as `application_name`: `pg_stat_activity` then tells which test file
 * (or which of its child processes) holds each connection.
 */
export function withSearchPath(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  if (!parsed.searchParams.has('application_name')) parsed.searchParams.set('application_name', schema);
  return parsed.toString();
}
