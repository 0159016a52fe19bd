import { type Kysely, type Migration, sql } from 'kysely';

/** `changes` with the partial index that keeps the sweeper's search proportional to the backlog (G3). */
export const createChanges: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`
      create table changes (
        change_number  bigint generated always as identity primary key,
        tx_id          xid8 not null default pg_current_xact_id(),
        object_type    text not null check (object_type ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
        object_id      text not null check (object_id <> ''),
        object_version bigint not null check (object_version >= 0),
        change_type    text not null check (change_type in ('CREATE', 'UPDATE', 'DELETE')),
        user_id        text,
        trace_context  text,
        created_at     timestamptz not null default now(),
        published_at   timestamptz
      )`.execute(db);
    // G3: the sweeper reads only unpublished rows, oldest first; this index holds just those.
    await sql`create index changes_unpublished_idx on changes (change_number) where published_at is null`.execute(db);
    // Change-log queries by object, and retention by age.
    await sql`create index changes_object_idx on changes (object_type, object_id, change_number)`.execute(db);
    await sql`create index changes_created_at_idx on changes (created_at)`.execute(db);
  },
  async down(db: Kysely<unknown>) {
    await sql`drop table changes`.execute(db);
  },
};
