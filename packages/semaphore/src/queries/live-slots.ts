import type { SemaphoreDb } from './clock.js';
import { databaseNow } from './clock.js';

/** A row of `semaphore_slots` as acquire and refresh return it. */
export interface LeaseRow {
  key: string;
  slot: number;
  token: string;
  holder: string;
  acquired_at: Date;
  expires_at: Date;
}

/** A live row as `holders` lists it: the lease, and since when someone waits for a slot of its key. */
export interface SlotRow extends LeaseRow {
  wanted_at: Date | null;
}

/** The unexpired rows of `key` by the database clock, by slot. Uses the primary key's (key, slot) order. */
export async function selectLiveSlots(db: SemaphoreDb, key: string): Promise<SlotRow[]> {
  return db
    .selectFrom('semaphore_slots')
    .select(['key', 'slot', 'token', 'holder', 'acquired_at', 'expires_at', 'wanted_at'])
    .where('key', '=', key)
    .where('expires_at', '>', databaseNow())
    .orderBy('slot')
    .execute();
}
