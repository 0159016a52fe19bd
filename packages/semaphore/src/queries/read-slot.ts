import { sql } from 'kysely';
import type { SemaphoreDb } from './clock.js';
import { databaseNow } from './clock.js';

/** The token on a slot and whether its lease is live; `undefined` when the slot has no row. */
export async function readSlot(
  db: SemaphoreDb,
  key: string,
  slot: number,
): Promise<{ token: string; isLive: boolean } | undefined> {
  return db
    .selectFrom('semaphore_slots')
    .select(['token', sql<boolean>`expires_at > ${databaseNow()}`.as('isLive')])
    .where('key', '=', key)
    .where('slot', '=', slot)
    .executeTakeFirst();
}
