import type { Kysely } from 'kysely';
import { asOutboxDb, type OutboxDatabase } from '../schema.js';
import type { RecordedChange } from '../types.js';
import { toRecordedChange } from './to-recorded-change.js';

/** Which changes of the change log to list. Every field narrows; none lists from the start. */
export interface ChangeLogFilter {
  /** First change number, inclusive. */
  fromChangeNumber?: string;
  /** Last change number, inclusive. */
  toChangeNumber?: string;
  objectType?: string;
  /** Only with `objectType`'s objects in mind, but valid alone. */
  objectId?: string;
  /** Recorded at or after this time. */
  since?: Date;
  /** Recorded before this time. */
  until?: Date;
  /** Only changes not yet published (`true`) or only published ones (`false`). */
  published?: boolean;
  /**
   * At most this many, in change-number order; page on by passing the last number + 1 as `fromChangeNumber`.
   * @defaultValue 1000
   */
  limit?: number;
}

/** The change log: recorded changes in change-number order, narrowed by range, type, object and time. */
export async function listChanges<DB extends OutboxDatabase>(
  anyDb: Kysely<DB>,
  filter: ChangeLogFilter = {},
): Promise<RecordedChange[]> {
  const db = asOutboxDb(anyDb);
  let query = db.selectFrom('changes').selectAll();
  if (filter.fromChangeNumber !== undefined) query = query.where('change_number', '>=', filter.fromChangeNumber);
  if (filter.toChangeNumber !== undefined) query = query.where('change_number', '<=', filter.toChangeNumber);
  if (filter.objectType !== undefined) query = query.where('object_type', '=', filter.objectType);
  if (filter.objectId !== undefined) query = query.where('object_id', '=', filter.objectId);
  if (filter.since !== undefined) query = query.where('created_at', '>=', filter.since);
  if (filter.until !== undefined) query = query.where('created_at', '<', filter.until);
  if (filter.published !== undefined) query = query.where('published_at', filter.published ? 'is not' : 'is', null);
  const rows = await query
    .orderBy('change_number')
    .limit(filter.limit ?? 1000)
    .execute();
  return rows.map(toRecordedChange);
}
