import { randomBytes } from 'node:crypto';
import type { RevalIndexDatabase } from '@changeflow/reval';
import type { Kysely } from 'kysely';
import { openRunDatabase } from '../support/run-database.js';

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
  const runSchema = `bench_reval_${randomBytes(4).toString('hex')}`;
  const run = await openRunDatabase<RevalIndexDatabase>(runSchema, { env, poolSize: POOL_SIZE });
  return {
    db: run.db,
    runSchema,
    indexSchema: `${runSchema}_index`,
    where: run.where,
    dropSchemas: run.dropSchemas,
    close: run.close,
  };
}
