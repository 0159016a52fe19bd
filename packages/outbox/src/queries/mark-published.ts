import { type Kysely, sql } from 'kysely';
import { asOutboxDb, type OutboxDatabase } from '../schema.js';

/**
 * Stamps `published_at` on changes SNS accepted. Already-stamped rows keep their first stamp.
 *
 * One statement, one round trip: its commit does not wait for the WAL flush (`synchronous_commit`
 * off for this statement's own transaction only, through `set_config(…, true)`, so a pooled connection
 * keeps its setting). A stamp lost in a crash just means the sweeper sends the change once more, which
 * at-least-once delivery allows, and waiting for the disk would halve what a write service can publish.
 * If no row matches, the settings row may go unread, but then there is nothing to commit either.
 * It must not run inside a caller's transaction, whose commit it would make asynchronous as well.
 */
export async function markPublished<DB extends OutboxDatabase>(
  anyDb: Kysely<DB>,
  changeNumbers: readonly string[],
): Promise<number> {
  const db = asOutboxDb(anyDb);
  if (db.isTransaction) throw new Error('markPublished runs as its own transaction: pass the pool, not a transaction');
  if (changeNumbers.length === 0) return 0;
  const result = await db
    .with('settings', (qb) =>
      qb.selectNoFrom(sql<string>`set_config('synchronous_commit', 'off', true)`.as('synchronous_commit')),
    )
    .updateTable('changes')
    .from('settings')
    .set({ published_at: sql`now()` })
    .where(sql<boolean>`change_number = any(${changeNumbers}::bigint[])`)
    .where('published_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
