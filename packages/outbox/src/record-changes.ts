import type { Kysely, Transaction } from 'kysely';
import { validateChanges } from './change-input.js';
import { insertChanges } from './queries/insert-changes.js';
import { prefersPrepared } from './queries/prepared-statement.js';
import { asOutboxDb, type OutboxDatabase } from './schema.js';
import type { ChangeInput, RecordedChange, RecordOptions } from './types.js';

/**
 * Records changes in the caller's transaction, in one multi-row insert (G1: they commit or roll back
 * with the write), sent as a prepared statement unless `options` say otherwise. Nothing is published here: after the commit, hand the result to
 * `outbox.afterCommit(…)`, or leave it to the sweeper.
 *
 * @example
 * const recorded = await db.transaction().execute(async (trx) => {
 *   await trx.updateTable('trainee').set(row).where('id', '=', id).execute();
 *   return recordChanges(trx, { objectType: 'trainee', objectId: id, objectVersion: 7, changeType: 'UPDATE' });
 * });
 * await outbox.afterCommit(recorded);
 */
export async function recordChanges<DB extends OutboxDatabase>(
  trx: Kysely<DB> | Transaction<DB>,
  changes: ChangeInput | readonly ChangeInput[],
  options: RecordOptions = {},
): Promise<RecordedChange[]> {
  const list: readonly ChangeInput[] = Array.isArray(changes) ? changes : [changes as ChangeInput];
  validateChanges(list);
  return insertChanges(asOutboxDb(trx as Kysely<DB>), list, prefersPrepared(options));
}
