import { type Kysely, type Migration, sql } from 'kysely';

// Dates are `YYYY-MM-DD` text: they sort and compare as dates, and pg hands them back unchanged
// (a `date` column would come back as a JS Date at local midnight).

/**
 * The primary reval data the repository-service writes (REVAL.md "Primary data"). Rows are never
 * deleted: a delete sets `deleted_at` and bumps `version`, so the projection can still find which
 * GMC numbers the object touched. `reval_object_gmc` remembers every GMC number an object was ever
 * filed under, so a trainee moved from one GMC number to another updates both documents.
 */
export const revalPrimaryMigrations: Record<string, Migration> = {
  '0001-reval-primary': {
    async up(db: Kysely<unknown>) {
      await sql`
        create table reval_trainee (
          tcs_person_id          bigint primary key,
          gmc_reference_number   text,
          first_name             text,
          last_name              text,
          role                   text,
          programme_memberships  jsonb not null default '[]',
          placements             jsonb not null default '[]',
          version                bigint not null,
          updated_at             timestamptz not null default now(),
          deleted_at             timestamptz
        )`.execute(db);
      await sql`create index reval_trainee_gmc_idx on reval_trainee (gmc_reference_number) where deleted_at is null`.execute(
        db,
      );
      await sql`
        create table reval_gmc_doctor (
          gmc_reference_number   text primary key,
          doctor_first_name      text,
          doctor_last_name       text,
          submission_date        text,
          date_added             text,
          under_notice           text check (under_notice in ('YES', 'NO', 'ON_HOLD')),
          sanction               text,
          designated_body_code   text,
          admin                  text,
          exists_in_gmc          boolean not null default true,
          last_updated_date      text,
          version                bigint not null,
          updated_at             timestamptz not null default now(),
          deleted_at             timestamptz
        )`.execute(db);
      await sql`
        create table reval_recommendation (
          id                      text primary key,
          gmc_reference_number    text not null,
          type                    text check (type in ('REVALIDATE', 'DEFER', 'NON_ENGAGEMENT')),
          status                  text,
          outcome                 text check (outcome in ('APPROVED', 'REJECTED', 'UNDER_REVIEW')),
          gmc_submission_date     text,
          actual_submission_date  text,
          admin                   text,
          version                 bigint not null,
          updated_at              timestamptz not null default now(),
          deleted_at              timestamptz
        )`.execute(db);
      await sql`create index reval_recommendation_gmc_idx on reval_recommendation (gmc_reference_number) where deleted_at is null`.execute(
        db,
      );
      await sql`
        create table reval_connection_failure (
          gmc_reference_number   text primary key,
          reason                 text,
          version                bigint not null,
          updated_at             timestamptz not null default now(),
          deleted_at             timestamptz
        )`.execute(db);
      await sql`
        create table reval_object_gmc (
          object_type            text not null,
          object_id              text not null,
          gmc_reference_number   text not null,
          primary key (object_type, object_id, gmc_reference_number)
        )`.execute(db);
    },
    async down(db: Kysely<unknown>) {
      for (const table of [
        'reval_object_gmc',
        'reval_connection_failure',
        'reval_recommendation',
        'reval_gmc_doctor',
        'reval_trainee',
      ]) {
        await sql`drop table if exists ${sql.table(table)}`.execute(db);
      }
    },
  },
  '0002-reval-sync-job': {
    async up(db: Kysely<unknown>) {
      // One row per full sync (REVAL.md "The full sync"); at most one is pending or running.
      await sql`
        create table reval_sync_job (
          id                 bigint generated always as identity primary key,
          state              text not null default 'pending' check (state in ('pending', 'running', 'succeeded', 'failed')),
          step               text not null default 'build-master',
          generation_schema  text,
          snapshot           text,
          counts             jsonb not null default '{}',
          step_timings       jsonb not null default '{}',
          error              text,
          attempts           integer not null default 0,
          requested_by       text,
          requested_at       timestamptz not null default now(),
          started_at         timestamptz,
          finished_at        timestamptz,
          heartbeat_at       timestamptz
        )`.execute(db);
      await sql`create unique index reval_sync_job_one_active on reval_sync_job ((true)) where state in ('pending', 'running')`.execute(
        db,
      );
    },
    async down(db: Kysely<unknown>) {
      await sql`drop table if exists reval_sync_job`.execute(db);
    },
  },
};
