import type { ColumnType, Generated, Kysely } from 'kysely';
import type { ChangeType } from './types.js';

/** `changes`: one row per recorded change (DESIGN.md §4). */
export interface ChangesTable {
  change_number: Generated<string>;
  tx_id: Generated<string>;
  object_type: string;
  object_id: string;
  object_version: ColumnType<string, number | string, number | string>;
  change_type: ChangeType;
  user_id: string | null;
  trace_context: string | null;
  created_at: Generated<Date>;
  published_at: Date | null;
}

/** The outbox's tables, for `Kysely<OutboxDatabase>` or to merge into a service's own database type. */
export interface OutboxDatabase {
  changes: ChangesTable;
}

/**
 * A service's `Kysely<ServiceDatabase>` seen as the outbox's: Kysely is invariant in its database
 * type, so a database that includes the outbox's tables is not assignable to `Kysely<OutboxDatabase>`.
 */
export function asOutboxDb<DB extends OutboxDatabase>(db: Kysely<DB>): Kysely<OutboxDatabase> {
  return db as unknown as Kysely<OutboxDatabase>;
}
