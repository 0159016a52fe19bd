import type { Migration } from 'kysely';
import { createChanges } from './0001-changes.js';
import { formerlyFailedMessages } from './0002-failed-messages.js';
import { indexChangesTxId } from './0003-changes-tx-id.js';

/** The outbox's migrations, in order. Names sort in the order they must run. */
export const outboxMigrations: Record<string, Migration> = {
  '0001-changes': createChanges,
  '0002-failed-messages': formerlyFailedMessages,
  '0003-changes-tx-id': indexChangesTxId,
};
