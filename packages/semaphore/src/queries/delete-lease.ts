import { sql } from 'kysely';
import type { SemaphoreDb } from './clock.js';
import { databaseNow } from './clock.js';

/**
 * Deletes the lease's row if it still carries the lease's token, and says whether the lease was still
 * live. `undefined` means the slot had another token or no row: the lease was lost before. G6: the token
 * fences it, so a late release can never free someone else's slot; an expired row of the lease's own is
 * removed (nobody else holds it, and the slot becomes free at once).
 */
export async function deleteLease(
  db: SemaphoreDb,
  lease: { key: string; slot: number; token: string },
): Promise<{ wasLive: boolean } | undefined> {
  return db
    .deleteFrom('semaphore_slots')
    .where('key', '=', lease.key)
    .where('slot', '=', lease.slot)
    .where('token', '=', lease.token)
    .returning(sql<boolean>`expires_at > ${databaseNow()}`.as('wasLive'))
    .executeTakeFirst();
}
