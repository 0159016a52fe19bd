import type { Kysely } from 'kysely';
import type { OutboxDatabase } from '../schema.js';
import type { ChangeInput, RecordedChange } from '../types.js';
import { executePrepared } from './prepared-statement.js';
import { toRecordedChange } from './to-recorded-change.js';

/** Rows of an insert worth a prepared statement: a larger insert is rarer and its parse a smaller share. */
const MAX_PREPARED_ROWS = 16;

/**
 * Inserts the changes in one multi-row statement, in the given transaction, and returns them as
 * recorded; a prepared statement when `prepared` and the insert is small (see `executePrepared`).
 */
export async function insertChanges(
  db: Kysely<OutboxDatabase>,
  changes: readonly ChangeInput[],
  prepared: boolean,
): Promise<RecordedChange[]> {
  if (changes.length === 0) return [];
  const query = db
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
    .compile();
  const { rows } = await executePrepared(db, query, prepared && changes.length <= MAX_PREPARED_ROWS);
  return rows.map(toRecordedChange);
}
