import type { Kysely, Transaction } from 'kysely';
import { type RawBuilder, sql } from 'kysely';
import type { SemaphoreDatabase } from '../types.js';

/** Any Kysely handle on a database with `semaphore_slots`: the root instance or a caller's transaction. */
export type SemaphoreDb = Kysely<SemaphoreDatabase> | Transaction<SemaphoreDatabase>;

/**
 * G6: the one clock every lease is judged by — the database's, never a process's.
 * `statement_timestamp()` rather than `now()`: `now()` is frozen at the start of the transaction, which,
 * inside a caller's long transaction, would judge leases by a stale time. One value for the whole
 * statement keeps each query's checks consistent with the `expires_at` it writes.
 */
export function databaseNow(): RawBuilder<Date> {
  return sql<Date>`statement_timestamp()`;
}

/** `leaseMs` from now by the database clock: the `expires_at` of a lease granted or refreshed now. */
export function leaseEnd(leaseMs: number): RawBuilder<Date> {
  return sql<Date>`statement_timestamp() + cast(${leaseMs} as integer) * interval '1 millisecond'`;
}
