import { type Kysely, type Migration, sql } from 'kysely';

/** `failed_messages`: one row per (worker, SQS message id), upserted on every failure (G5). */
export const createFailedMessages: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`
      create table failed_messages (
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
    await sql`create index failed_messages_last_failed_idx on failed_messages (worker, last_failed_at desc)`.execute(
      db,
    );
  },
  async down(db: Kysely<unknown>) {
    await sql`drop table failed_messages`.execute(db);
  },
};
