import type { SemaphoreDb } from './clock.js';
import { databaseNow } from './clock.js';

/** A row of `semaphore_slots` as the queries return it. */
export interface SlotRow {
  key: string;
  slot: number;
  token: string;
  holder: string;
  acquired_at: Date;
  expires_at: Date;
}

/** The unexpired rows of `key` by the database clock, by slot. Uses the primary key's (key, slot) order. */
export async function selectLiveSlots(db: SemaphoreDb, key: string): Promise<SlotRow[]> {
  return db
    .selectFrom('semaphore_slots')
    .select(['key', 'slot', 'token', 'holder', 'acquired_at', 'expires_at'])
    .where('key', '=', key)
    .where('expires_at', '>', databaseNow())
    .orderBy('slot')
    .execute();
}
