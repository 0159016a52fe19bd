import { sql } from 'kysely';
import type { SemaphoreDb } from './clock.js';
import { databaseNow } from './clock.js';

/**
 * Whether an acquirer was refused while the lease was live; `undefined` when the lease is no longer
 * live (expired, taken over or released).
 */
export async function leaseWanted(
  db: SemaphoreDb,
  lease: { key: string; slot: number; token: string },
): Promise<boolean | undefined> {
  const row = await db
    .selectFrom('semaphore_slots')
    .select(sql<boolean>`wanted_at is not null`.as('isWanted'))
    .where('key', '=', lease.key)
    .where('slot', '=', lease.slot)
    .where('token', '=', lease.token)
    .where('expires_at', '>', databaseNow())
    .executeTakeFirst();
  return row?.isWanted;
}
