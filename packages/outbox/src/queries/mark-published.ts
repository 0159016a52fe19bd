import { type Kysely, sql } from 'kysely';
import type { OutboxDatabase } from '../schema.js';

/** Stamps `published_at` on changes SNS accepted. Already-stamped rows keep their first stamp. */
export async function markPublished(db: Kysely<OutboxDatabase>, changeNumbers: readonly string[]): Promise<number> {
  if (changeNumbers.length === 0) return 0;
  const result = await db
    .updateTable('changes')
    .set({ published_at: sql`now()` })
    .where(sql<boolean>`change_number = any(${changeNumbers}::bigint[])`)
    .where('published_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
