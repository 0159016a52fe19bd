import { type Kysely, sql } from 'kysely';
import type { SemaphoreDatabase } from '../src/index.js';

/**
 * Moves time in the data, not the clock: every lease of `key` (or one slot) expired a second ago.
 * Returns the tokens it expired.
 */
export async function expireLeases(db: Kysely<SemaphoreDatabase>, key: string, slot?: number): Promise<string[]> {
  let update = db
    .updateTable('semaphore_slots')
    .set({ expires_at: sql<Date>`now() - interval '1 second'` })
    .where('key', '=', key)
    .where('expires_at', '>', sql<Date>`now()`);
  if (slot !== undefined) update = update.where('slot', '=', slot);
  const rows = await update.returning('token').execute();
  return rows.map((row) => row.token);
}

/** Rows of `key` unexpired by the database clock, counted straight from the table in one statement. */
export async function countLiveRows(db: Kysely<SemaphoreDatabase>, key: string): Promise<number> {
  const row = await db
    .selectFrom('semaphore_slots')
    .select(sql<number>`count(*)::int`.as('live'))
    .where('key', '=', key)
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirstOrThrow();
  return row.live;
}

/** The error a promise rejects with; fails the test when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail, but it succeeded');
}
