import { randomBytes } from 'node:crypto';
import { migrateRevalIndex, migrateRevalPrimary, type RevalDatabase } from '@changeflow/reval';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';

/** The bench database unless `BENCH_DATABASE_URL` names another (as the other benchmarks use it); created if missing. */
const DEFAULT_BENCH_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/changeflow_bench';

/**
 * Connections of the pool: the sync holds one for its snapshot transaction and one for the
 * generation's inserts; progress counts, heartbeats, the semaphore, the outbox and the benchmark's
 * own polling take the rest.
 */
const POOL_SIZE = 8;

/** A run's own schemas in the bench database: the primary tables and the live index store. */
export interface SyncBenchDatabase {
  /** Kysely on a pool whose search_path is {@link runSchema}. */
  readonly db: Kysely<RevalDatabase>;
  /** Primary tables, outbox, semaphore and migration bookkeeping: `bench_sync_<hex>`. */
  readonly runSchema: string;
  /** The live index store, `<runSchema>_index`; the sync builds its generations beside it. */
  readonly indexSchema: string;
  /** Host and database, for the report (no credentials). */
  readonly where: string;
  /** Drops every schema whose name starts with {@link runSchema} (generations and retired ones too). */
  dropSchemas(): Promise<void>;
  /** Closes the pool. */
  close(): Promise<void>;
}

/**
 * Opens the bench database (`BENCH_DATABASE_URL`, else `changeflow_bench` on the local server,
 * created if missing) with a fresh schema of this run's own, migrated for reval's primary tables and
 * its index store, so a run never meets another's data.
 */
export async function openSyncBenchDatabase(env: NodeJS.ProcessEnv = process.env): Promise<SyncBenchDatabase> {
  const url = new URL(env.BENCH_DATABASE_URL?.trim() || DEFAULT_BENCH_DATABASE_URL);
  const databaseName = decodeURIComponent(url.pathname.slice(1));
  const where = `${url.host}/${databaseName}`;
  const runSchema = `bench_sync_${randomBytes(4).toString('hex')}`;
  await withClient(url, '/postgres', async (client) => {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [databaseName]);
    if (rowCount === 0) {
      // 42P04: another run created it in between.
      await client.query(`create database ${pg.escapeIdentifier(databaseName)}`).catch((err: unknown) => {
        if (!(err instanceof Error && 'code' in err && err.code === '42P04')) {
          throw new Error(
            `cannot create database ${databaseName} on ${url.host}: create it or set BENCH_DATABASE_URL`,
            { cause: err },
          );
        }
      });
    }
  });
  await withClient(url, url.pathname, (client) => client.query(`create schema ${pg.escapeIdentifier(runSchema)}`));
  const withPath = new URL(url);
  withPath.searchParams.set('options', `-c search_path=${runSchema}`);
  const db = new Kysely<RevalDatabase>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: withPath.toString(), max: POOL_SIZE }) }),
  });
  const indexSchema = `${runSchema}_index`;
  const dropSchemas = async () => {
    const { rows } = await sql<{ name: string }>`
      select nspname as name from pg_namespace where starts_with(nspname, ${runSchema})`.execute(db);
    for (const { name } of rows) await sql`drop schema if exists ${sql.id(name)} cascade`.execute(db);
  };
  try {
    await migrateRevalPrimary(db);
    await migrateRevalIndex(db, indexSchema);
  } catch (err) {
    await dropSchemas().catch(() => {});
    await db.destroy();
    throw err;
  }
  return { db, runSchema, indexSchema, where, dropSchemas, close: () => db.destroy() };
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
