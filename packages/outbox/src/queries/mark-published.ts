import { type Kysely, sql } from 'kysely';
import { asOutboxDb, type OutboxDatabase } from '../schema.js';

/**
 * Stamps `published_at` on changes SNS accepted. Already-stamped rows keep their first stamp.
 *
 * The commit does not wait for the WAL flush (`synchronous_commit = off` for this transaction only):
 * a stamp lost in a crash just means the sweeper sends the change once more, which at-least-once
 * delivery allows, and waiting for the disk would halve what a write service can publish.
 */
export async function markPublished<DB extends OutboxDatabase>(
  anyDb: Kysely<DB>,
  changeNumbers: readonly string[],
): Promise<number> {
  const db = asOutboxDb(anyDb);
  if (changeNumbers.length === 0) return 0;
  return db.transaction().execute(async (trx) => {
    await sql`set local synchronous_commit = off`.execute(trx);
    const result = await trx
      .updateTable('changes')
      .set({ published_at: sql`now()` })
      .where(sql<boolean>`change_number = any(${changeNumbers}::bigint[])`)
      .where('published_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  });
}
