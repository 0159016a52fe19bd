import { type Kysely, type Migration, sql } from 'kysely';

// Dates are `YYYY-MM-DD` text: they sort and compare as dates, and pg hands them back unchanged
// (a `date` column would come back as a JS Date at local midnight).

/** The reval indexes: `master` and the derived ones, each a table of master documents (REVAL.md). */
export const REVAL_INDEX_TABLES = ['master', 'recommendation', 'connected', 'disconnected', 'exception', 'discrepancies'] as const;
export type RevalIndexTable = (typeof REVAL_INDEX_TABLES)[number];

/**
 * The index store's migrations, for the schema `schema` (default `reval_index`; tests use one each).
 * Every index table has the master document's columns, with btree indexes for the sorts and filters
 * of the queries and trigram indexes for the prefix searches.
 */
export function revalIndexMigrations(schema: string): Record<string, Migration> {
  return {
    '0001-reval-index': {
      async up(db: Kysely<unknown>) {
        await sql`create extension if not exists pg_trgm`.execute(db);
        await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
        for (const name of REVAL_INDEX_TABLES) {
          const table = sql.id(schema, name);
          await sql`
            create table ${table} (
              gmc_reference_number         text primary key,
              tcs_person_id                bigint,
              conflicting_tcs_person_ids   bigint[] not null default '{}',
              doctor_first_name            text,
              doctor_last_name             text,
              submission_date              text,
              programme_name               text,
              membership_type              text,
              membership_start_date        text,
              membership_end_date          text,
              curriculum_end_date          text,
              programme_owner              text,
              tcs_designated_body          text,
              designated_body              text,
              placement_grade              text,
              admin                        text,
              under_notice                 text,
              exists_in_gmc                boolean not null,
              gmc_status                   text,
              tis_status                   text not null,
              connection_status            text not null,
              exception_reason             text,
              last_updated_date            text,
              projected_at                 timestamptz not null default now()
            )`.execute(db);
          const index = (suffix: string) => sql.id(`${name}_${suffix}`);
          await sql`create index ${index('tcs_person_idx')} on ${table} (tcs_person_id)`.execute(db);
          await sql`create index ${index('conflicting_idx')} on ${table} using gin (conflicting_tcs_person_ids)`.execute(db);
          for (const column of ['submission_date', 'doctor_first_name', 'doctor_last_name', 'membership_end_date', 'designated_body', 'tcs_designated_body']) {
            await sql`create index ${index(`${column}_idx`)} on ${table} (${sql.ref(column)}, doctor_last_name)`.execute(db);
          }
          for (const column of ['doctor_first_name', 'doctor_last_name', 'gmc_reference_number', 'programme_name']) {
            await sql`create index ${index(`${column}_trgm`)} on ${table} using gin (lower(${sql.ref(column)}) gin_trgm_ops)`.execute(db);
          }
        }
      },
      async down(db: Kysely<unknown>) {
        await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
      },
    },
  };
}
