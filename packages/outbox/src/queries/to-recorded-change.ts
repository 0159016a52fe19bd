import type { Selectable } from 'kysely';
import type { ChangesTable } from '../schema.js';
import type { RecordedChange } from '../types.js';

/** A `changes` row as the library's callers see it. */
export function toRecordedChange(row: Selectable<ChangesTable>): RecordedChange {
  return {
    changeNumber: row.change_number,
    objectType: row.object_type,
    objectId: row.object_id,
    objectVersion: Number(row.object_version),
    changeType: row.change_type,
    userId: row.user_id,
    traceparent: row.trace_context,
    createdAt: row.created_at,
    publishedAt: row.published_at,
  };
}
