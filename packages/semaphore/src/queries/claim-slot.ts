import { sql } from 'kysely';
import type { SemaphoreDb } from './clock.js';
import { databaseNow, leaseEnd } from './clock.js';
import type { LeaseRow } from './live-slots.js';

/**
 * Takes `slot` of `key` if it is free or its lease expired; returns the new row, or `undefined` when an
 * unexpired lease holds it (someone got there first).
 *
 * G6: the primary key allows one row per slot, and the conflict branch replaces a row only if it is
 * expired. Postgres evaluates that `where` on the latest committed version of the row after waiting for
 * any concurrent writer, so of two racers for one slot exactly one wins. A takeover draws a new token
 * with `DEFAULT` *after* that wait, so it is larger than the token it replaces.
 */
export async function claimSlot(
  db: SemaphoreDb,
  claim: { key: string; slot: number; holder: string; leaseMs: number },
): Promise<LeaseRow | undefined> {
  return db
    .insertInto('semaphore_slots')
    .values({
      key: claim.key,
      slot: claim.slot,
      holder: claim.holder,
      acquired_at: databaseNow(),
      expires_at: leaseEnd(claim.leaseMs),
    })
    .onConflict((conflict) =>
      conflict
        .columns(['key', 'slot'])
        .doUpdateSet((eb) => ({
          token: sql<string>`default`,
          holder: eb.ref('excluded.holder'),
          acquired_at: eb.ref('excluded.acquired_at'),
          expires_at: eb.ref('excluded.expires_at'),
          // A new lease starts with nobody waiting for it.
          wanted_at: null,
        }))
        .where('semaphore_slots.expires_at', '<=', databaseNow()),
    )
    .returning(['key', 'slot', 'token', 'holder', 'acquired_at', 'expires_at'])
    .executeTakeFirst();
}
