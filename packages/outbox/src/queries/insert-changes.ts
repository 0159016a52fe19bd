import type { Kysely } from 'kysely';
import type { OutboxDatabase } from '../schema.js';
import type { ChangeInput, RecordedChange } from '../types.js';
import { toRecordedChange } from './to-recorded-change.js';

/** Inserts the changes in one multi-row statement, in the given transaction, and returns them as recorded. */
export async function insertChanges(
  db: Kysely<OutboxDatabase>,
  changes: readonly ChangeInput[],
): Promise<RecordedChange[]> {
  if (changes.length === 0) return [];
  const rows = await db
    .insertInto('changes')
    .values(
      changes.map((change) => ({
        object_type: change.objectType,
        object_id: change.objectId,
        object_version: change.objectVersion,
        change_type: change.changeType,
        user_id: change.userId ?? null,
        trace_context: change.traceparent ?? null,
      })),
    )
    .returningAll()
    .execute();
  return rows.map(toRecordedChange);
}
