import { type Kysely, sql } from 'kysely';
import { createIndexTables } from '../migrations/index-migrations.js';

/** The schema a sync builds the new generation in, beside the live `indexSchema`. */
export function generationSchemaName(indexSchema: string, jobId: string): string {
  return `${indexSchema}_sync_${jobId}`;
}

/** Where the previous generation goes at the swap, until it is dropped. */
export function retiredSchemaName(indexSchema: string, jobId: string): string {
  return `${indexSchema}_retired_${jobId}`;
}

/**
 * Creates an empty generation: every index table with the live ones' columns and primary keys (the
 * secondary indexes come after the load, in the build-indexes step), plus `sync_membership`, the
 * derived indexes each document belongs to. An older attempt's leftovers are dropped first, so a
 * step can rerun.
 */
export async function createGenerationSchema(db: Kysely<unknown>, schema: string): Promise<void> {
  await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
  await createIndexTables(db, schema);
  await sql`
    create table ${sql.id(schema, 'sync_membership')} (
      gmc_reference_number text primary key,
      indexes text[] not null
    )`.execute(db);
}

export async function schemaExists(db: Kysely<unknown>, schema: string): Promise<boolean> {
  const { rows } = await sql<{
    found: boolean;
  }>`select exists (select 1 from pg_namespace where nspname = ${schema}) as found`.execute(db);
  return rows[0]?.found ?? false;
}

export async function dropSchema(db: Kysely<unknown>, schema: string): Promise<void> {
  await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
}
