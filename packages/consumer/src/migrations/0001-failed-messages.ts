import { type Kysely, type Migration, sql } from 'kysely';

/**
 * `failed_messages`: one row per (worker, SQS message id), upserted on every failure (G5).
 *
 * Until 0.1 the outbox created this table (its migration `0002-failed-messages`, now a no-op), so a
 * database migrated then already has it, with these columns and this index: every statement is
 * `if not exists`, and the migration only records itself there.
 */
export const createFailedMessages: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`
      create table if not exists failed_messages (
        worker          text not null,
        message_id      text not null,
        change_numbers  bigint[] not null default '{}',
        object_type     text,
        object_ids      text[] not null default '{}',
        error           text not null,
        attempts        integer not null default 1,
        dead_lettered   boolean not null default false,
        first_failed_at timestamptz not null default now(),
        last_failed_at  timestamptz not null default now(),
        primary key (worker, message_id)
      )`.execute(db);
    // The dead-letter lists read one worker's rows, newest first; retention deletes by age.
    await sql`
      create index if not exists failed_messages_last_failed_idx
        on failed_messages (worker, last_failed_at desc)`.execute(db);
  },
  async down(db: Kysely<unknown>) {
    await sql`drop table if exists failed_messages`.execute(db);
  },
};
