import { type Kysely, sql } from 'kysely';
import { asOutboxDb, type OutboxDatabase } from '../schema.js';

/** Stamps `published_at` on changes SNS accepted. Already-stamped rows keep their first stamp. */
export async function markPublished<DB extends OutboxDatabase>(
  anyDb: Kysely<DB>,
  changeNumbers: readonly string[],
): Promise<number> {
  const db = asOutboxDb(anyDb);
  if (changeNumbers.length === 0) return 0;
  const result = await db
    .updateTable('changes')
    .set({ published_at: sql`now()` })
    .where(sql<boolean>`change_number = any(${changeNumbers}::bigint[])`)
    .where('published_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
