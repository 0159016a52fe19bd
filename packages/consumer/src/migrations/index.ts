import type { Migration } from 'kysely';
import { createFailedMessages } from './0001-failed-messages.js';

/** The consumer's migrations, in order. Names sort in the order they must run. */
export const consumerMigrations: Record<string, Migration> = {
  '0001-failed-messages': createFailedMessages,
};
