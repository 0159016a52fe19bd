import { randomBytes } from 'node:crypto';
import type { RevalIndexDatabase } from '@changeflow/reval';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';

/** The bench database unless `BENCH_DATABASE_URL` names another; created on first use. */
const DEFAULT_BENCH_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/changeflow_bench';

/** Connections of the pool: one query at a time, each running up to three statements at once. */
const POOL_SIZE = 4;

/** The database a run works in, and the schemas it made there. */
export interface BenchDatabase {
  /** Kysely on a pool whose search_path is {@link runSchema}. */
  readonly db: Kysely<RevalIndexDatabase>;
  /** Where the migration bookkeeping goes, `bench_reval_<hex>`. */
  readonly runSchema: string;
  /** The index store, `<runSchema>_index`. */
  readonly indexSchema: string;
  /** Host and database, for the report (no credentials). */
  readonly where: string;
  /** Drops both schemas. */
  dropSchemas(): Promise<void>;
  /** Closes the pool. */
  close(): Promise<void>;
}

/**
 * Opens the bench database (`BENCH_DATABASE_URL`, else `changeflow_bench` on the local server,
 * created if missing) with a fresh run schema of its own, so a run never meets another's data.
 */
export async function openBenchDatabase(env: NodeJS.ProcessEnv = process.env): Promise<BenchDatabase> {
  const url = new URL(env.BENCH_DATABASE_URL?.trim() || DEFAULT_BENCH_DATABASE_URL);
  const databaseName = decodeURIComponent(url.pathname.slice(1));
  const where = `${url.host}/${databaseName}`;
  await createDatabaseIfMissing(url, databaseName);

  const runSchema = `bench_reval_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url.toString() });
  await connectOrExplain(admin, where);
  try {
    await admin.query(`create schema ${pg.escapeIdentifier(runSchema)}`);
  } finally {
    await admin.end();
  }
  const withPath = new URL(url);
  withPath.searchParams.set('options', `-c search_path=${runSchema}`);
  const pool = new pg.Pool({ connectionString: withPath.toString(), max: POOL_SIZE });
  const db = new Kysely<RevalIndexDatabase>({ dialect: new PostgresDialect({ pool }) });
  const indexSchema = `${runSchema}_index`;
  return {
    db,
    runSchema,
    indexSchema,
    where,
    async dropSchemas() {
      await sql`drop schema if exists ${sql.id(indexSchema)} cascade`.execute(db);
      await sql`drop schema if exists ${sql.id(runSchema)} cascade`.execute(db);
    },
    close: () => db.destroy(),
  };
}

async function createDatabaseIfMissing(url: URL, databaseName: string): Promise<void> {
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  const client = new pg.Client({ connectionString: maintenance.toString() });
  await connectOrExplain(client, `${url.host}/postgres`);
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [databaseName]);
    if (rowCount === 0) await client.query(`create database ${pg.escapeIdentifier(databaseName)}`);
  } catch (err) {
    // Another run may have created it in between; anything else is a real failure.
    if (!(err instanceof Error && 'code' in err && err.code === '42P04')) {
      throw new Error(`cannot create database ${databaseName} on ${url.host}: create it or set BENCH_DATABASE_URL`, {
        cause: err,
      });
    }
  } finally {
    await client.end();
  }
}

async function connectOrExplain(client: pg.Client, where: string): Promise<void> {
  try {
    await client.connect();
  } catch (err) {
    throw new Error(
      `cannot reach Postgres at ${where}: start it (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) or set BENCH_DATABASE_URL`,
      { cause: err },
    );
  }
}
