import { type Kysely, sql } from 'kysely';
import type { OutboxDatabase } from '../schema.js';
import { type ChangeLogFilter, narrowChangeLog } from './list-changes.js';

/**
 * How many changes `listChanges` would page through for `filter` (its `limit` aside), for a progress
 * total. Narrows exactly as `listChanges` does.
 */
export async function countChanges(db: Kysely<OutboxDatabase>, filter: ChangeLogFilter): Promise<number> {
  const query = narrowChangeLog(db.selectFrom('changes').select(sql<string>`count(*)`.as('count')), filter);
  const row = await query.executeTakeFirstOrThrow();
  return Number(row.count);
}
