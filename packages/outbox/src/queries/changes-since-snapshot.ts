import { type Kysely, sql } from 'kysely';
import { asOutboxDb, type OutboxDatabase } from '../schema.js';

/**
 * The objects of every change that committed after `snapshot` was taken (a `pg_snapshot` as text,
 * from `pg_current_snapshot()`): those whose transaction was not visible in it. G7's catch-up.
 */
export async function objectsChangedSinceSnapshot<DB extends OutboxDatabase>(
  anyDb: Kysely<DB>,
  snapshot: string,
): Promise<Array<{ objectType: string; objectId: string }>> {
  const db = asOutboxDb(anyDb);
  const { rows } = await sql<{ object_type: string; object_id: string }>`
    select distinct object_type, object_id from changes
    where tx_id >= pg_snapshot_xmin(${snapshot}::pg_snapshot)
      and not pg_visible_in_snapshot(tx_id, ${snapshot}::pg_snapshot)`.execute(db);
  return rows.map((row) => ({ objectType: row.object_type, objectId: row.object_id }));
}
