import type { SemaphoreDb } from './clock.js';
import { databaseNow } from './clock.js';

/**
 * Records on every live lease of `key` that an acquirer found them all held, so their holders can end
 * their turns. Only the first refusal of a lease writes: a standby refused on every tick touches
 * nothing after that.
 */
export async function markWanted(db: SemaphoreDb, key: string): Promise<void> {
  await db
    .updateTable('semaphore_slots')
    .set({ wanted_at: databaseNow() })
    .where('key', '=', key)
    .where('expires_at', '>', databaseNow())
    .where('wanted_at', 'is', null)
    .execute();
}
