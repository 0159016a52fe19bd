import { type Kysely, sql } from 'kysely';
import { asOutboxDb, type OutboxDatabase } from '../schema.js';

/**
 * Deletes at most `limit` published changes recorded more than `retentionMs` ago. Unpublished
 * changes are never deleted, however old. The age is judged on `created_at` so the search uses its
 * index instead of scanning the table.
 */
export async function deletePublished<DB extends OutboxDatabase>(
  anyDb: Kysely<DB>,
  retentionMs: number,
  limit: number,
): Promise<number> {
  const db = asOutboxDb(anyDb);
  const result = await db
    .deleteFrom('changes')
    .where('change_number', 'in', (qb) =>
      qb
        .selectFrom('changes')
        .select('change_number')
        .where('created_at', '<', sql<Date>`now() - make_interval(secs => ${retentionMs / 1000})`)
        .where('published_at', 'is not', null)
        .limit(limit),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
