import { type Kysely, sql } from 'kysely';
import { asOutboxDb, type OutboxDatabase } from '../schema.js';
import type { RecordedChange } from '../types.js';
import { toRecordedChange } from './to-recorded-change.js';

/**
 * The oldest changes still unpublished after `graceMs` (by the database clock), at most `limit`; only
 * those numbered above `afterChangeNumber` when it is given.
 *
 * G3: no cursor kept between searches. The search is "unpublished", through the partial index, so a
 * transaction that commits late with a lower change number is found like any other; `afterChangeNumber`
 * only lets one sweeper run move past the batches it has just sent.
 */
export async function findUnpublished<DB extends OutboxDatabase>(
  anyDb: Kysely<DB>,
  graceMs: number,
  limit: number,
  afterChangeNumber?: string,
): Promise<RecordedChange[]> {
  const db = asOutboxDb(anyDb);
  const rows = await db
    .selectFrom('changes')
    .selectAll()
    .where('published_at', 'is', null)
    .where('created_at', '<', sql<Date>`now() - make_interval(secs => ${graceMs / 1000})`)
    .$if(afterChangeNumber !== undefined, (qb) => qb.where('change_number', '>', afterChangeNumber ?? '0'))
    .orderBy('change_number')
    .limit(limit)
    .execute();
  return rows.map(toRecordedChange);
}

/** How big the backlog is: unpublished changes and the age of the oldest, by the database clock. */
export async function unpublishedStats<DB extends OutboxDatabase>(
  anyDb: Kysely<DB>,
): Promise<{ count: number; oldestAgeMs: number | null }> {
  const db = asOutboxDb(anyDb);
  const row = await db
    .selectFrom('changes')
    .select([
      sql<string>`count(*)`.as('count'),
      sql<string | null>`extract(epoch from now() - min(created_at)) * 1000`.as('oldest_age_ms'),
    ])
    .where('published_at', 'is', null)
    .executeTakeFirstOrThrow();
  return {
    count: Number(row.count),
    oldestAgeMs: row.oldest_age_ms === null ? null : Math.max(0, Number(row.oldest_age_ms)),
  };
}
