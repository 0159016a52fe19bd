import type { ChangeLogFilter, OutboxDatabase } from '@changeflow/outbox';
import { type Kysely, sql } from 'kysely';

/**
 * How many changes `listChanges` would page through for `filter` (its `limit` aside), for a progress
 * bar's total. Narrows exactly as `listChanges` in `@changeflow/outbox` does.
 */
export async function countChanges(db: Kysely<OutboxDatabase>, filter: ChangeLogFilter): Promise<number> {
  let query = db.selectFrom('changes').select(sql<string>`count(*)`.as('count'));
  if (filter.fromChangeNumber !== undefined) query = query.where('change_number', '>=', filter.fromChangeNumber);
  if (filter.toChangeNumber !== undefined) query = query.where('change_number', '<=', filter.toChangeNumber);
  if (filter.objectType !== undefined) query = query.where('object_type', '=', filter.objectType);
  if (filter.objectId !== undefined) query = query.where('object_id', '=', filter.objectId);
  if (filter.since !== undefined) query = query.where('created_at', '>=', filter.since);
  if (filter.until !== undefined) query = query.where('created_at', '<', filter.until);
  if (filter.published !== undefined) query = query.where('published_at', filter.published ? 'is not' : 'is', null);
  const row = await query.executeTakeFirstOrThrow();
  return Number(row.count);
}
