import { type Kysely, type Migration, sql } from 'kysely';

/**
 * An index on `tx_id`, so "changes committed after this snapshot" (`tx_id >= pg_snapshot_xmin(s)`
 * and not visible in `s`) reads only the recent rows: the reval sync catches up with it (G7).
 */
export const indexChangesTxId: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`create index changes_tx_id_idx on changes (tx_id)`.execute(db);
  },
  async down(db: Kysely<unknown>) {
    await sql`drop index changes_tx_id_idx`.execute(db);
  },
};
