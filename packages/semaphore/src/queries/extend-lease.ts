import type { SemaphoreDb } from './clock.js';
import { databaseNow, leaseEnd } from './clock.js';
import type { LeaseRow } from './live-slots.js';

/**
 * Moves a live lease's `expires_at` to `leaseMs` from now; returns the row, or `undefined` when the lease
 * is lost. G6: the token fences it (a taken-over slot carries a newer token) and `expires_at > now` makes
 * an expired lease lost even before anyone takes the slot, so a lease never comes back to life.
 */
export async function extendLease(
  db: SemaphoreDb,
  lease: { key: string; slot: number; token: string; leaseMs: number },
): Promise<LeaseRow | undefined> {
  return db
    .updateTable('semaphore_slots')
    .set({ expires_at: leaseEnd(lease.leaseMs) })
    .where('key', '=', lease.key)
    .where('slot', '=', lease.slot)
    .where('token', '=', lease.token)
    .where('expires_at', '>', databaseNow())
    .returning(['key', 'slot', 'token', 'holder', 'acquired_at', 'expires_at'])
    .executeTakeFirst();
}
