import type { Migration } from 'kysely';

/**
 * Does nothing, on purpose. Until 0.1 this migration created `failed_messages`, which belongs to the
 * worker runtime: `@changeflow/consumer` creates it now (`migrateConsumer`, idempotently, so a
 * database that has it keeps it). The name stays because Kysely refuses to migrate a database that
 * recorded a migration the set no longer has.
 */
export const formerlyFailedMessages: Migration = {
  async up() {},
};
