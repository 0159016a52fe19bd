import type { ChangeMessage } from '@changeflow/outbox';
import { type Kysely, sql } from 'kysely';
import { REVAL_OBJECT_TYPES } from '../object-types.js';
import type { RevalDatabase } from '../store/schema.js';

/** Object types whose id is itself the GMC number they affect. */
const KEYED_BY_GMC_NUMBER = new Set<string>([
  REVAL_OBJECT_TYPES.gmcDoctor,
  REVAL_OBJECT_TYPES.connectionFailure,
  REVAL_OBJECT_TYPES.gmcNumber,
]);

/**
 * Every GMC number whose documents the changes may alter: a doctor's, failure's or gmc-number's own
 * id, and for trainees and recommendations every GMC number they were ever filed under (so a
 * trainee moved from one GMC number to another updates both).
 */
export async function affectedGmcNumbers(
  db: Kysely<RevalDatabase>,
  changes: ReadonlyArray<Pick<ChangeMessage, 'objectType' | 'objectId'>>,
): Promise<string[]> {
  const affected = new Set<string>();
  const filed: Array<{ type: string; id: string }> = [];
  for (const change of changes) {
    if (KEYED_BY_GMC_NUMBER.has(change.objectType)) affected.add(change.objectId);
    else filed.push({ type: change.objectType, id: change.objectId });
  }
  if (filed.length > 0) {
    const rows = await db
      .selectFrom('reval_object_gmc')
      .select('gmc_reference_number')
      .where(
        sql<boolean>`(object_type, object_id) in (select * from unnest(${filed.map((f) => f.type)}::text[], ${filed.map((f) => f.id)}::text[]))`,
      )
      .execute();
    for (const row of rows) affected.add(row.gmc_reference_number);
  }
  return [...affected].sort();
}
