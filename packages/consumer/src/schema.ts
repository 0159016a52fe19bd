import type { ColumnType, Generated, Kysely } from 'kysely';

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

/** The consumer's tables, for `Kysely<ConsumerDatabase>` or to merge into a deployment's database type. */
export interface ConsumerDatabase {
  failed_messages: FailedMessagesTable;
}

/**
 * A `Kysely<DB>` whose database includes the consumer's tables, seen as the consumer's: Kysely is
 * invariant in its database type, so it is not assignable to `Kysely<ConsumerDatabase>` as it is.
 */
export function asConsumerDb<DB extends ConsumerDatabase>(db: Kysely<DB>): Kysely<ConsumerDatabase> {
  return db as unknown as Kysely<ConsumerDatabase>;
}
