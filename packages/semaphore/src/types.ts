import type { ColumnType, Generated } from 'kysely';

/**
 * Glossary (DESIGN.md §1, guarantee G6):
 * - **key** — names one semaphore, e.g. `outbox-sweeper` or `worker:doctor-index`. Keys are independent.
 * - **maxLocks** — how many holders a key admits at once; passed on every acquire. Use one value per key.
 * - **slot** — one of the `maxLocks` places of a key, numbered from 0; one row of `semaphore_slots`.
 * - **lease** — the right to a slot until `expiresAt`, judged by the database clock. Refresh it before
 *   then or it is lost: once expired, any acquirer may take the slot over.
 * - **holder** — a free-text label of who holds a lease (`host:pid:worker`), for people reading `holders()`.
 *   It is not an identity: the same holder acquiring twice gets two slots.
 * - **token** — the fencing token of a lease: a bigint (as a decimal string) from one sequence, so every new
 *   lease, on any key, gets a larger token than every lease before it. Refresh and release name the token,
 *   so a holder whose lease was lost can never touch the slot's next lease.
 */

/** A slot held until `expiresAt`. Returned by `acquire` and `refresh`; pass it back to `refresh`/`release`. */
export interface Lease {
  /** The semaphore's key. */
  readonly key: string;
  /** The slot held, `0 <= slot < maxLocks`. */
  readonly slot: number;
  /** Fencing token (a bigint as a decimal string); compare as `BigInt(token)`. Unchanged by refresh. */
  readonly token: string;
  /** The label given to `acquire`. */
  readonly holder: string;
  /** Lease duration in milliseconds last granted; `refresh(lease)` grants it again. */
  readonly leaseMs: number;
  /** When the slot was acquired (database clock). */
  readonly acquiredAt: Date;
  /**
   * When the lease expires (database clock). Refresh well before this: the process clock may differ from
   * the database's, and a lease is lost the moment the database's clock passes it.
   */
  readonly expiresAt: Date;
}

/** One unexpired lease of a key, as `holders(key)` lists it. */
export interface SlotHolder {
  readonly slot: number;
  readonly holder: string;
  readonly token: string;
  readonly acquiredAt: Date;
  readonly expiresAt: Date;
  /** When an acquirer first found every slot of the key held during this lease; null: nobody waited. */
  readonly wantedAt: Date | null;
}

/** Why a lease was lost, as far as the row showed when the refresh or release failed. */
export type LeaseLostReason =
  /** The lease expired by the database clock; nobody had taken the slot yet. */
  | 'expired'
  /** The slot now carries another token: the lease expired and another acquirer took the slot over. */
  | 'taken-over'
  /** The slot is empty: the lease was released already (or never existed). */
  | 'released';

/** The Postgres counting semaphore. Create it with `createSemaphore(db)`; every method is one or a few queries. */
export interface Semaphore {
  /**
   * Takes a free or expired slot of `key` for `leaseMs`, or returns `undefined` when all `maxLocks` slots
   * are held by unexpired leases (an expected outcome, not an error: try again on the next tick). A
   * refusal marks the live leases of the key as wanted (`isWanted`).
   * Throws `ConfigError` for bad arguments, `SemaphoreQueryError` when Postgres fails.
   */
  acquire(key: string, maxLocks: number, leaseMs: number, holder: string): Promise<Lease | undefined>;
  /**
   * Extends a live lease to `leaseMs` (default: the lease's own `leaseMs`) from now by the database clock,
   * keeping its slot and token. Throws `LeaseLostError` when the lease expired, was taken over or released.
   */
  refresh(lease: Lease, leaseMs?: number): Promise<Lease>;
  /**
   * Frees the lease's slot. Throws `LeaseLostError` when the lease was no longer live: taken over or released
   * already (the slot is left alone), or expired (its own expired row is removed, so the slot is free).
   */
  release(lease: Lease): Promise<void>;
  /**
   * Whether an acquirer of the lease's key was refused, every slot being held, since this lease was
   * taken: somebody waits for a turn. A holder that could go on (a worker whose queue is not empty)
   * asks at its natural breaks and ends its turn when this is true, and keeps the slot when it is not.
   * Also true when the lease is no longer live: either way the turn is over.
   * Throws `SemaphoreQueryError` when Postgres fails.
   */
  isWanted(lease: Lease): Promise<boolean>;
  /** The unexpired leases of `key`, by slot. Includes slots at or above a smaller `maxLocks` now in use. */
  holders(key: string): Promise<SlotHolder[]>;
}

/** The `semaphore_slots` table; one row per slot that was ever acquired (expired rows stay until reused). */
export interface SemaphoreSlotsTable {
  key: string;
  slot: number;
  /**
   * `bigint generated always as identity`: pg returns it as a string. Postgres rejects any written value but
   * `DEFAULT`, which draws the next token; the update type only exists so a takeover can say `DEFAULT`.
   */
  token: Generated<string>;
  holder: string;
  acquired_at: ColumnType<Date, Date | string, Date | string>;
  expires_at: ColumnType<Date, Date | string, Date | string>;
  /** When an acquirer first found every slot of the key held during this lease; null while nobody waited. */
  wanted_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

/** The tables this package owns, for `Kysely<SemaphoreDatabase>` (or to merge into an app's database type). */
export interface SemaphoreDatabase {
  semaphore_slots: SemaphoreSlotsTable;
}
