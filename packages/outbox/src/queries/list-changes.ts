import type { Kysely, SelectQueryBuilder } from 'kysely';
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
  const rows = await narrowChangeLog(db.selectFrom('changes').selectAll(), filter)
    .orderBy('change_number')
    .limit(filter.limit ?? 1000)
    .execute();
  return rows.map(toRecordedChange);
}

/** Narrows a select from `changes` by a filter (its `limit` aside): one definition for listing and counting. */
export function narrowChangeLog<Q extends SelectQueryBuilder<OutboxDatabase, 'changes', object>>(
  query: Q,
  filter: ChangeLogFilter,
): Q {
  let narrowed = query as SelectQueryBuilder<OutboxDatabase, 'changes', object>;
  if (filter.fromChangeNumber !== undefined) narrowed = narrowed.where('change_number', '>=', filter.fromChangeNumber);
  if (filter.toChangeNumber !== undefined) narrowed = narrowed.where('change_number', '<=', filter.toChangeNumber);
  if (filter.objectType !== undefined) narrowed = narrowed.where('object_type', '=', filter.objectType);
  if (filter.objectId !== undefined) narrowed = narrowed.where('object_id', '=', filter.objectId);
  if (filter.since !== undefined) narrowed = narrowed.where('created_at', '>=', filter.since);
  if (filter.until !== undefined) narrowed = narrowed.where('created_at', '<', filter.until);
  if (filter.published !== undefined)
    narrowed = narrowed.where('published_at', filter.published ? 'is not' : 'is', null);
  return narrowed as Q;
}
