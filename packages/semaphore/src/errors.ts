import { ChangeflowError } from '@changeflow/errors';
import type { LeaseLostReason } from './types.js';

/**
 * Raised by `refresh` and `release` when the lease is no longer live (G6): it expired by the database clock,
 * another acquirer took the slot over, or it was released already. Whoever held it must stop the work the
 * lease guarded — someone else may be doing it now — and acquire again.
 */
export class LeaseLostError extends ChangeflowError {
  readonly key: string;
  readonly slot: number;
  /** The lost lease's token. */
  readonly token: string;
  readonly holder: string;
  /** What the slot showed when the call failed; for logs, the action is the same for every reason. */
  readonly reason: LeaseLostReason;
  /** The token now on the slot, when `reason` is `taken-over`. */
  readonly currentToken: string | undefined;

  constructor(details: {
    key: string;
    slot: number;
    token: string;
    holder: string;
    reason: LeaseLostReason;
    currentToken?: string | undefined;
    operation: 'refresh' | 'release';
  }) {
    const what = {
      expired: 'it expired by the database clock',
      'taken-over': `it expired and the slot was taken over by token ${details.currentToken}`,
      released: 'the slot was released already',
    }[details.reason];
    super(
      'LEASE_LOST',
      `cannot ${details.operation} lease on semaphore key ${JSON.stringify(details.key)} slot ${details.slot} ` +
        `(token ${details.token}, holder ${JSON.stringify(details.holder)}): ${what}; ` +
        'stop the work it guarded and acquire again',
    );
    this.key = details.key;
    this.slot = details.slot;
    this.token = details.token;
    this.holder = details.holder;
    this.reason = details.reason;
    this.currentToken = details.currentToken;
  }
}

/**
 * Raised when a semaphore query fails in Postgres (unreachable, missing table, serialization failure…).
 * The pg error is the `cause`; `sqlState` copies its SQLSTATE so callers can tell transient failures apart.
 */
export class SemaphoreQueryError extends ChangeflowError {
  readonly operation: 'acquire' | 'refresh' | 'release' | 'isWanted' | 'holders';
  readonly key: string;
  /** SQLSTATE of the pg error (`40001`, `57P03`, `42P01`…), when there is one. */
  readonly sqlState: string | undefined;

  constructor(operation: SemaphoreQueryError['operation'], key: string, cause: unknown) {
    const sqlState = sqlStateOf(cause);
    const detail = cause instanceof Error ? cause.message : String(cause);
    const next =
      sqlState === '42P01'
        ? 'run migrateSemaphore(db) on this database (semaphore_slots is missing)'
        : sqlState === '42703'
          ? 'run migrateSemaphore(db) on this database (semaphore_slots lacks a column this version reads)'
          : 'check that Postgres is reachable, then try again';
    super(
      'SEMAPHORE_QUERY_FAILED',
      `semaphore ${operation} on key ${JSON.stringify(key)} failed${sqlState ? ` (SQLSTATE ${sqlState})` : ''}: ` +
        `${detail}: ${next}`,
      { cause },
    );
    this.operation = operation;
    this.key = key;
    this.sqlState = sqlState;
  }
}

function sqlStateOf(err: unknown): string | undefined {
  if (err === null || typeof err !== 'object' || !('code' in err)) return undefined;
  const { code } = err;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}
