import { randomBytes } from 'node:crypto';
import { migrateOutbox, type OutboxDatabase } from '@changeflow/outbox';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';

/** The bench database unless `BENCH_DATABASE_URL` names another (as `reval-queries` uses it); created if missing. */
const DEFAULT_BENCH_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/changeflow_bench';

/** A schema of this run's own, migrated for the semaphore and the failure records the runtime writes. */
export interface ConsumerBenchDatabase {
  readonly db: Kysely<OutboxDatabase>;
  /** Host and database, for the report (no credentials). */
  readonly where: string;
  /** Connection string of the run's schema (its `search_path`), for a pool of the caller's own. */
  readonly url: string;
  /** Drops the run's schema and closes the pool. */
  close(): Promise<void>;
}

export async function openConsumerBenchDatabase(env: NodeJS.ProcessEnv = process.env): Promise<ConsumerBenchDatabase> {
  const url = new URL(env.BENCH_DATABASE_URL?.trim() || DEFAULT_BENCH_DATABASE_URL);
  const databaseName = decodeURIComponent(url.pathname.slice(1));
  const where = `${url.host}/${databaseName}`;
  const schema = `bench_consumer_${randomBytes(4).toString('hex')}`;
  await withClient(url, '/postgres', async (client) => {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [databaseName]);
    // 42P04: another run created it in between.
    if (rowCount === 0) {
      await client.query(`create database ${pg.escapeIdentifier(databaseName)}`).catch((err: unknown) => {
        if (!(err instanceof Error && 'code' in err && err.code === '42P04')) throw err;
      });
    }
  });
  await withClient(url, url.pathname, (client) => client.query(`create schema ${pg.escapeIdentifier(schema)}`));
  const withPath = new URL(url);
  withPath.searchParams.set('options', `-c search_path=${schema}`);
  const db = new Kysely<OutboxDatabase>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: withPath.toString(), max: 4 }) }),
  });
  try {
    await migrateOutbox(db);
  } catch (err) {
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db).catch(() => {});
    await db.destroy();
    throw err;
  }
  return {
    db,
    where,
    url: withPath.toString(),
    async close() {
      try {
        await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
      } finally {
        await db.destroy();
      }
    },
  };
}

async function withClient<T>(url: URL, pathname: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const target = new URL(url);
  target.pathname = pathname;
  const client = new pg.Client({ connectionString: target.toString() });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(
      `cannot reach Postgres at ${url.host}: start it (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) or set BENCH_DATABASE_URL`,
      { cause: err },
    );
  }
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}
