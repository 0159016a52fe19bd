import type { RevalDatabase } from '@changeflow/reval';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';

/** The bench database unless `BENCH_DATABASE_URL` names another (as every benchmark uses it); created if missing. */
const DEFAULT_BENCH_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/changeflow_bench';
/** Connections of the run's own pool by default: its observers and checks, not the services'. */
const DEFAULT_POOL_SIZE = 6;

/** A schema of one run's own in the bench database, empty until the run (or its services) migrate it. */
export interface RunDatabase<DB = RevalDatabase> {
  /** Kysely on a pool whose search_path is {@link schema}. */
  readonly db: Kysely<DB>;
  /** Primary tables, outbox, semaphore; the run's index schemas start with the same name. */
  readonly schema: string;
  /** Host and database, for the report (no credentials). */
  readonly where: string;
  /** The connection string of the schema for a process of its own, which names itself `applicationName`. */
  urlFor(applicationName: string): string;
  /** Drops every schema whose name starts with {@link schema} (index stores and generations too). */
  dropSchemas(): Promise<void>;
  close(): Promise<void>;
}

/** How to open a {@link RunDatabase}. */
export interface RunDatabaseOptions {
  /** Connections of the run's own pool. @defaultValue 6 */
  poolSize?: number;
  /** Where `BENCH_DATABASE_URL` is read. @defaultValue `process.env` */
  env?: NodeJS.ProcessEnv;
}

/**
 * Opens the bench database (`BENCH_DATABASE_URL`, else `changeflow_bench` on the local server,
 * created if missing) and creates the empty schema `schema` in it. Every benchmark and the soak
 * open theirs here, so a run never meets another's data.
 *
 * @example
 * const run = await openRunDatabase<ConsumerDatabase>(`bench_consumer_${hex}`);
 * try { await migrateConsumer(run.db); … } finally { await run.dropSchemas(); await run.close(); }
 */
export async function openRunDatabase<DB = RevalDatabase>(
  schema: string,
  { poolSize = DEFAULT_POOL_SIZE, env = process.env }: RunDatabaseOptions = {},
): Promise<RunDatabase<DB>> {
  const url = new URL(env.BENCH_DATABASE_URL?.trim() || DEFAULT_BENCH_DATABASE_URL);
  const databaseName = decodeURIComponent(url.pathname.slice(1));
  const where = `${url.host}/${databaseName}`;
  await withClient(url, '/postgres', async (client) => {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [databaseName]);
    if (rowCount === 0) {
      // 42P04: another run created it in between.
      await client.query(`create database ${pg.escapeIdentifier(databaseName)}`).catch((err: unknown) => {
        if (!(err instanceof Error && 'code' in err && err.code === '42P04')) {
          throw new Error(
            `cannot create database ${databaseName} on ${url.host}: create it or set BENCH_DATABASE_URL`,
            {
              cause: err,
            },
          );
        }
      });
    }
  });
  await withClient(url, url.pathname, (client) => client.query(`create schema ${pg.escapeIdentifier(schema)}`));
  const urlFor = (applicationName: string) => {
    const withPath = new URL(url);
    withPath.searchParams.set('options', `-c search_path=${schema}`);
    withPath.searchParams.set('application_name', applicationName);
    return withPath.toString();
  };
  const pool = new pg.Pool({ connectionString: urlFor(`${schema}-observer`), max: poolSize });
  // The soak terminates backends on purpose (never this pool's, by application_name); should one of
  // ours die anyway, the pool replaces it rather than the 'error' ending the run.
  pool.on('error', () => {});
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    schema,
    where,
    urlFor,
    async dropSchemas() {
      const { rows } = await sql<{ name: string }>`
        select nspname as name from pg_namespace where starts_with(nspname, ${schema})`.execute(db);
      for (const { name } of rows) await sql`drop schema if exists ${sql.id(name)} cascade`.execute(db);
    },
    close: () => db.destroy(),
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
