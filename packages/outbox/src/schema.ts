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

/** `failed_messages`: what the worker runtime dead-lettered or retried, and why (DESIGN.md §4). */
export interface FailedMessagesTable {
  worker: string;
  message_id: string;
  change_numbers: ColumnType<string[], string[], string[]>;
  object_type: string | null;
  object_ids: ColumnType<string[], string[], string[]>;
  error: string;
  attempts: number;
  dead_lettered: Generated<boolean>;
  first_failed_at: Generated<Date>;
  last_failed_at: Generated<Date>;
}

/** The outbox's tables, for `Kysely<OutboxDatabase>` or to merge into a service's own database type. */
export interface OutboxDatabase {
  changes: ChangesTable;
  failed_messages: FailedMessagesTable;
}

/**
 * A service's `Kysely<ServiceDatabase>` seen as the outbox's: Kysely is invariant in its database
 * type, so a database that includes the outbox's tables is not assignable to `Kysely<OutboxDatabase>`.
 */
export function asOutboxDb<DB extends OutboxDatabase>(db: Kysely<DB>): Kysely<OutboxDatabase> {
  return db as unknown as Kysely<OutboxDatabase>;
}
