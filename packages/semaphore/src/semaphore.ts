import type { Kysely } from 'kysely';
import { claimableSlots } from './claimable-slots.js';
import { LeaseLostError, SemaphoreQueryError } from './errors.js';
import {
  parseAcquireArgs,
  parseKey,
  parseLeaseArgs,
  resolveSemaphoreOptions,
  type SemaphoreOptions,
} from './options.js';
import { claimSlot } from './queries/claim-slot.js';
import type { SemaphoreDb } from './queries/clock.js';
import { deleteLease } from './queries/delete-lease.js';
import { extendLease } from './queries/extend-lease.js';
import { leaseWanted } from './queries/lease-wanted.js';
import { type LeaseRow, type SlotRow, selectLiveSlots } from './queries/live-slots.js';
import { markWanted } from './queries/mark-wanted.js';
import { readSlot } from './queries/read-slot.js';
import type { Lease, LeaseLostReason, Semaphore, SemaphoreDatabase, SlotHolder } from './types.js';

/**
 * Creates the Postgres counting semaphore on `db` (G6). It keeps no state of its own and opens nothing,
 * so there is nothing to stop; leases live in `semaphore_slots` (run `migrateSemaphore(db)` first).
 *
 * `db` may have any database type: the semaphore only touches `semaphore_slots`. Pass the root Kysely,
 * not a transaction: a lease taken inside a transaction is invisible to others until it commits, and its
 * row lock makes every other acquirer of that slot wait for the commit.
 *
 * @example
 * const semaphore = createSemaphore(db, { logger });
 * const lease = await semaphore.acquire('outbox-sweeper', 1, 30_000, `${hostname()}:${process.pid}`);
 * if (lease) {
 *   try {
 *     await sweep(); // refresh(lease) every ~10 s while it runs
 *   } finally {
 *     await semaphore.release(lease);
 *   }
 * }
 */
export function createSemaphore<DB>(db: Kysely<DB>, options?: SemaphoreOptions): Semaphore {
  const { logger } = resolveSemaphoreOptions(options);
  const log = logger.child({ component: 'semaphore' });
  // Kysely<DB> is invariant in DB, so an app's Kysely<AppDatabase & SemaphoreDatabase> is not a
  // Kysely<SemaphoreDatabase>; the queries below only name semaphore_slots, which the migration created.
  const slotsDb = db as unknown as Kysely<SemaphoreDatabase>;

  async function query<T>(operation: SemaphoreQueryError['operation'], key: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw new SemaphoreQueryError(operation, key, err);
    }
  }

  return {
    async acquire(key, maxLocks, leaseMs, holder) {
      parseAcquireArgs({ key, maxLocks, leaseMs, holder });
      return query('acquire', key, async () => {
        const live = await selectLiveSlots(slotsDb, key);
        // Each candidate was free in that snapshot; a failed claim means someone took it since, so try the
        // next. At most maxLocks claims, and `undefined` only after every free slot was taken by others.
        const candidates = claimableSlots(
          live.map((row) => row.slot),
          maxLocks,
        );
        for (const slot of candidates) {
          const row = await claimSlot(slotsDb, { key, slot, holder, leaseMs });
          if (row) {
            const lease = toLease(row, leaseMs);
            log.debug({ key, slot, token: lease.token, holder }, 'lease acquired');
            return lease;
          }
        }
        await markWanted(slotsDb, key);
        log.debug({ key, maxLocks, holder, liveLeases: live.length }, 'no slot free');
        return undefined;
      });
    },

    async refresh(lease, leaseMs) {
      parseLeaseArgs(lease, leaseMs, 'refresh');
      const grantedMs = leaseMs ?? lease.leaseMs;
      const row = await query('refresh', lease.key, () => extendLease(slotsDb, { ...lease, leaseMs: grantedMs }));
      if (!row) throw await leaseLost(slotsDb, lease, 'refresh');
      log.debug({ key: lease.key, slot: lease.slot, token: lease.token, holder: lease.holder }, 'lease refreshed');
      return toLease(row, grantedMs);
    },

    async release(lease) {
      parseLeaseArgs(lease, undefined, 'release');
      const deleted = await query('release', lease.key, () => deleteLease(slotsDb, lease));
      if (deleted && !deleted.wasLive) throw lost(lease, 'release', 'expired');
      if (!deleted) throw await leaseLost(slotsDb, lease, 'release');
      log.debug({ key: lease.key, slot: lease.slot, token: lease.token, holder: lease.holder }, 'lease released');
    },

    async isWanted(lease) {
      parseLeaseArgs(lease, undefined, 'isWanted');
      const isWanted = await query('isWanted', lease.key, () => leaseWanted(slotsDb, lease));
      return isWanted ?? true;
    },

    async holders(key) {
      parseKey(key);
      const rows = await query('holders', key, () => selectLiveSlots(slotsDb, key));
      return rows.map(toHolder);
    },
  };

  /** Reads the slot to say why the lease was lost; the answer is for people, the error is the same. */
  async function leaseLost(db: SemaphoreDb, lease: Lease, operation: 'refresh' | 'release'): Promise<LeaseLostError> {
    const current = await query(operation, lease.key, () => readSlot(db, lease.key, lease.slot));
    if (!current) return lost(lease, operation, 'released');
    if (current.token !== lease.token) return lost(lease, operation, 'taken-over', current.token);
    return lost(lease, operation, 'expired');
  }

  function lost(
    lease: Lease,
    operation: 'refresh' | 'release',
    reason: LeaseLostReason,
    currentToken?: string,
  ): LeaseLostError {
    const { key, slot, token, holder } = lease;
    log.debug({ key, slot, token, holder, reason, operation }, 'lease lost');
    return new LeaseLostError({ key, slot, token, holder, reason, currentToken, operation });
  }
}

function toLease(row: LeaseRow, leaseMs: number): Lease {
  return {
    key: row.key,
    slot: row.slot,
    token: row.token,
    holder: row.holder,
    leaseMs,
    acquiredAt: row.acquired_at,
    expiresAt: row.expires_at,
  };
}

function toHolder(row: SlotRow): SlotHolder {
  return {
    slot: row.slot,
    holder: row.holder,
    token: row.token,
    acquiredAt: row.acquired_at,
    expiresAt: row.expires_at,
    wantedAt: row.wanted_at,
  };
}
