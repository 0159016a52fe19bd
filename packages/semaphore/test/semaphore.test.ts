import { Writable } from 'node:stream';
import { ConfigError } from '@changeflow/errors';
import { TEST_DATABASE_URL, useTestDatabase, withSearchPath } from '@changeflow/test-support';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import {
  createSemaphore,
  type Lease,
  LeaseLostError,
  migrateSemaphore,
  type SemaphoreDatabase,
  SemaphoreQueryError,
} from '../src/index.js';
import { countLiveRows, expireLeases, rejectionOf } from './helpers.js';

const testDb = useTestDatabase<SemaphoreDatabase>('semaphore', migrateSemaphore);

const MINUTE_MS = 60_000;

function semaphore() {
  return createSemaphore(testDb().db);
}

async function acquireOrFail(key: string, maxLocks: number, leaseMs = MINUTE_MS, holder = 'test'): Promise<Lease> {
  const lease = await semaphore().acquire(key, maxLocks, leaseMs, holder);
  if (!lease) throw new Error(`expected a slot of ${key}`);
  return lease;
}

describe('acquire', () => {
  it('grants slots lowest first and returns undefined once all maxLocks slots are held', async () => {
    const s = semaphore();
    const leases = [await acquireOrFail('full', 3), await acquireOrFail('full', 3), await acquireOrFail('full', 3)];
    expect(leases.map((lease) => lease.slot)).toEqual([0, 1, 2]);
    expect(await s.acquire('full', 3, MINUTE_MS, 'late')).toBeUndefined();
    expect(await countLiveRows(testDb().db, 'full')).toBe(3);
  });

  it('returns a lease naming key, slot, token, holder and a database-clock expiry leaseMs ahead', async () => {
    const lease = await acquireOrFail('shape', 1, 30_000, 'host-a:42');
    expect(lease).toMatchObject({ key: 'shape', slot: 0, holder: 'host-a:42', leaseMs: 30_000 });
    expect(lease.token).toMatch(/^[0-9]+$/);
    const { rows } = await sql<{ expires_at: Date; ahead_ms: number }>`
      select expires_at, extract(epoch from expires_at - acquired_at) * 1000 as ahead_ms
      from semaphore_slots where key = 'shape'`.execute(testDb().db);
    expect(rows[0]?.expires_at).toEqual(lease.expiresAt);
    expect(Number(rows[0]?.ahead_ms)).toBe(30_000);
  });

  it('keeps keys independent', async () => {
    await acquireOrFail('key-a', 1);
    const other = await acquireOrFail('key-b', 1);
    expect(other.slot).toBe(0);
    expect(await semaphore().acquire('key-a', 1, MINUTE_MS, 'x')).toBeUndefined();
  });

  it('gives the same holder a second slot: a holder is a label, not an identity', async () => {
    const first = await acquireOrFail('same-holder', 2, MINUTE_MS, 'worker-1');
    const second = await acquireOrFail('same-holder', 2, MINUTE_MS, 'worker-1');
    expect([first.slot, second.slot]).toEqual([0, 1]);
  });

  it('issues fencing tokens that only increase, across keys, slots and takeovers', async () => {
    const tokens: bigint[] = [];
    for (const key of ['tok-a', 'tok-b', 'tok-a', 'tok-c']) tokens.push(BigInt((await acquireOrFail(key, 2)).token));
    await expireLeases(testDb().db, 'tok-a');
    tokens.push(BigInt((await acquireOrFail('tok-a', 2)).token));
    tokens.push(BigInt((await acquireOrFail('tok-a', 2)).token));
    for (let i = 1; i < tokens.length; i++) expect(tokens[i]).toBeGreaterThan(tokens[i - 1] ?? 0n);
  });

  it('counts slots held above a lowered maxLocks against the limit', async () => {
    const key = 'lowered';
    const leases: Lease[] = [];
    for (let i = 0; i < 5; i++) leases.push(await acquireOrFail(key, 5));
    for (const lease of leases.slice(0, 3)) await semaphore().release(lease);
    // Slots 3 and 4 are still held from maxLocks 5: with maxLocks 3 only one more lease fits.
    const granted = await acquireOrFail(key, 3);
    expect(granted.slot).toBe(0);
    expect(await semaphore().acquire(key, 3, MINUTE_MS, 'over')).toBeUndefined();
    expect(await countLiveRows(testDb().db, key)).toBe(3);
    const [, , , slot3, slot4] = leases;
    if (!slot3 || !slot4) throw new Error('expected five leases');
    await semaphore().release(slot4);
    expect((await acquireOrFail(key, 3)).slot).toBe(1);
    expect(await semaphore().acquire(key, 3, MINUTE_MS, 'over')).toBeUndefined();
    await expireLeases(testDb().db, key, 3);
    expect((await acquireOrFail(key, 3)).slot).toBe(2);
    expect(await countLiveRows(testDb().db, key)).toBe(3);
  });

  it('grants nothing while a lowered limit still has a holder inside the range its old holders need', async () => {
    const key = 'lowered-blocked';
    const leases: Lease[] = [];
    for (let i = 0; i < 5; i++) leases.push(await acquireOrFail(key, 5));
    const [slot0, slot1, , slot3, slot4] = leases;
    if (!slot0 || !slot1 || !slot3 || !slot4) throw new Error('expected five leases');
    for (const lease of [slot0, slot1, slot3]) await semaphore().release(lease);
    // Slots 2 and 4 held; maxLocks 3 counts slot 4 as taking slot 2's place, and slot 2 is in use too.
    // Refusing is conservative (one more would fit); it drains as those leases end.
    expect(await semaphore().acquire(key, 3, MINUTE_MS, 'waiting')).toBeUndefined();
    await semaphore().release(slot4);
    expect((await acquireOrFail(key, 3)).slot).toBe(0);
    expect((await acquireOrFail(key, 3)).slot).toBe(1);
    expect(await semaphore().acquire(key, 3, MINUTE_MS, 'over')).toBeUndefined();
  });
});

describe('refresh', () => {
  it('extends expires_at to leaseMs from now by the database clock, keeping slot and token', async () => {
    const lease = await acquireOrFail('refresh', 1, 1_000);
    await testDb()
      .db.updateTable('semaphore_slots')
      .set({ expires_at: sql<Date>`now() + interval '200 milliseconds'` })
      .where('key', '=', 'refresh')
      .execute();
    const refreshed = await semaphore().refresh(lease, 2 * MINUTE_MS);
    expect(refreshed).toMatchObject({ key: 'refresh', slot: lease.slot, token: lease.token, leaseMs: 2 * MINUTE_MS });
    expect(refreshed.acquiredAt).toEqual(lease.acquiredAt);
    const { rows } = await sql<{ expires_at: Date; ahead_ms: number }>`
      select expires_at, extract(epoch from expires_at - now()) * 1000 as ahead_ms
      from semaphore_slots where key = 'refresh'`.execute(testDb().db);
    expect(rows[0]?.expires_at).toEqual(refreshed.expiresAt);
    expect(Number(rows[0]?.ahead_ms)).toBeGreaterThan(2 * MINUTE_MS - 10_000);
    expect(Number(rows[0]?.ahead_ms)).toBeLessThanOrEqual(2 * MINUTE_MS);
  });

  it("grants the lease's own leaseMs again when none is given", async () => {
    const lease = await acquireOrFail('refresh-default', 1, 45_000);
    const refreshed = await semaphore().refresh(lease);
    expect(refreshed.leaseMs).toBe(45_000);
    expect(refreshed.expiresAt.getTime()).toBeGreaterThanOrEqual(lease.expiresAt.getTime());
  });

  it('fails with LeaseLostError for an expired lease even when nobody took the slot', async () => {
    const lease = await acquireOrFail('refresh-expired', 1);
    await expireLeases(testDb().db, 'refresh-expired');
    const err = await rejectionOf(semaphore().refresh(lease));
    expect(err).toBeInstanceOf(LeaseLostError);
    expect(err).toMatchObject({ code: 'LEASE_LOST', reason: 'expired', key: 'refresh-expired', slot: 0 });
    expect(await countLiveRows(testDb().db, 'refresh-expired')).toBe(0);
  });
});

describe('release', () => {
  it('frees the slot for the next acquirer', async () => {
    const lease = await acquireOrFail('release', 1);
    expect(await semaphore().acquire('release', 1, MINUTE_MS, 'next')).toBeUndefined();
    await semaphore().release(lease);
    expect(await semaphore().holders('release')).toEqual([]);
    const next = await acquireOrFail('release', 1, MINUTE_MS, 'next');
    expect(next).toMatchObject({ slot: 0, holder: 'next' });
  });

  it('fails with LeaseLostError the second time', async () => {
    const lease = await acquireOrFail('release-twice', 1);
    await semaphore().release(lease);
    const err = await rejectionOf(semaphore().release(lease));
    expect(err).toBeInstanceOf(LeaseLostError);
    expect(err).toMatchObject({ code: 'LEASE_LOST', reason: 'released', token: lease.token });
  });

  it('fails with LeaseLostError for an expired lease nobody took, and frees its slot', async () => {
    const lease = await acquireOrFail('release-expired', 1);
    await expireLeases(testDb().db, 'release-expired');
    const err = await rejectionOf(semaphore().release(lease));
    expect(err).toBeInstanceOf(LeaseLostError);
    expect(err).toMatchObject({ code: 'LEASE_LOST', reason: 'expired' });
    const rows = await testDb()
      .db.selectFrom('semaphore_slots')
      .selectAll()
      .where('key', '=', 'release-expired')
      .execute();
    expect(rows).toEqual([]);
  });
});

describe('takeover', () => {
  it('gives an expired slot to the next acquirer with a larger token; the old holder can neither refresh nor release', async () => {
    const key = 'takeover';
    const old = await acquireOrFail(key, 1, MINUTE_MS, 'old');
    expect(await semaphore().acquire(key, 1, MINUTE_MS, 'new')).toBeUndefined();
    await expireLeases(testDb().db, key);

    const taken = await acquireOrFail(key, 1, MINUTE_MS, 'new');
    expect(taken.slot).toBe(old.slot);
    expect(BigInt(taken.token)).toBeGreaterThan(BigInt(old.token));

    for (const attempt of [semaphore().refresh(old), semaphore().release(old)]) {
      const err = await rejectionOf(attempt);
      expect(err).toBeInstanceOf(LeaseLostError);
      expect(err).toMatchObject({
        code: 'LEASE_LOST',
        reason: 'taken-over',
        key,
        slot: old.slot,
        token: old.token,
        currentToken: taken.token,
      });
      expect((err as LeaseLostError).message).toContain(`token ${old.token}`);
      expect((err as LeaseLostError).message).toContain('"takeover" slot 0');
    }
    // The fenced-off calls left the new lease alone.
    expect(await semaphore().holders(key)).toEqual([
      {
        slot: 0,
        holder: 'new',
        token: taken.token,
        acquiredAt: taken.acquiredAt,
        expiresAt: taken.expiresAt,
        wantedAt: null,
      },
    ]);
    await semaphore().refresh(taken);
    await semaphore().release(taken);
  });
});

describe('isWanted', () => {
  async function wantedAt(key: string): Promise<Array<Date | null>> {
    const rows = await testDb()
      .db.selectFrom('semaphore_slots')
      .select('wanted_at')
      .where('key', '=', key)
      .orderBy('slot')
      .execute();
    return rows.map((row) => row.wanted_at);
  }

  it('is false until an acquirer finds every slot held, then true for each live lease of the key', async () => {
    const key = 'wanted';
    const [first, second] = [await acquireOrFail(key, 2), await acquireOrFail(key, 2)];
    const other = await acquireOrFail('wanted-other', 1);
    expect([await semaphore().isWanted(first), await semaphore().isWanted(second)]).toEqual([false, false]);

    expect(await semaphore().acquire(key, 2, MINUTE_MS, 'standby')).toBeUndefined();
    expect([await semaphore().isWanted(first), await semaphore().isWanted(second)]).toEqual([true, true]);
    expect((await semaphore().holders(key)).map((holder) => holder.wantedAt)).toEqual([
      expect.any(Date),
      expect.any(Date),
    ]);
    // A refresh keeps the mark: the waiter still waits.
    expect(await semaphore().isWanted(await semaphore().refresh(first))).toBe(true);
    expect(await semaphore().isWanted(other)).toBe(false);
  });

  it('is not set by an acquire that got a slot', async () => {
    const held = await acquireOrFail('wanted-room', 2);
    await acquireOrFail('wanted-room', 2);
    expect(await semaphore().isWanted(held)).toBe(false);
  });

  it('writes once per lease: later refusals leave the first time in place', async () => {
    const key = 'wanted-once';
    await acquireOrFail(key, 1);
    expect(await semaphore().acquire(key, 1, MINUTE_MS, 'standby')).toBeUndefined();
    const [firstRefusal] = await wantedAt(key);
    expect(firstRefusal).toBeInstanceOf(Date);
    expect(await semaphore().acquire(key, 1, MINUTE_MS, 'standby')).toBeUndefined();
    expect(await wantedAt(key)).toEqual([firstRefusal]);
  });

  it('starts unset for the next lease of the slot, after a release or a takeover', async () => {
    const key = 'wanted-next';
    const first = await acquireOrFail(key, 1);
    expect(await semaphore().acquire(key, 1, MINUTE_MS, 'standby')).toBeUndefined();
    await semaphore().release(first);
    const second = await acquireOrFail(key, 1, MINUTE_MS, 'standby');
    expect(await semaphore().isWanted(second)).toBe(false);

    expect(await semaphore().acquire(key, 1, MINUTE_MS, 'third')).toBeUndefined();
    await expireLeases(testDb().db, key);
    const third = await acquireOrFail(key, 1, MINUTE_MS, 'third');
    expect(await semaphore().isWanted(third)).toBe(false);
  });

  it('is true for a lease that is no longer live: its turn is over either way', async () => {
    const released = await acquireOrFail('wanted-released', 1);
    await semaphore().release(released);
    expect(await semaphore().isWanted(released)).toBe(true);
    const expired = await acquireOrFail('wanted-expired', 1);
    await expireLeases(testDb().db, 'wanted-expired');
    expect(await semaphore().isWanted(expired)).toBe(true);
  });
});

describe('holders', () => {
  it('lists only unexpired leases, by slot', async () => {
    const key = 'holders';
    const leases: Lease[] = [];
    for (const holder of ['a', 'b', 'c']) leases.push(await acquireOrFail(key, 3, MINUTE_MS, holder));
    await expireLeases(testDb().db, key, 1);
    const listed = await semaphore().holders(key);
    expect(listed.map((h) => [h.slot, h.holder])).toEqual([
      [0, 'a'],
      [2, 'c'],
    ]);
    expect(listed[0]).toEqual({
      slot: 0,
      holder: 'a',
      token: leases[0]?.token,
      acquiredAt: leases[0]?.acquiredAt,
      expiresAt: leases[0]?.expiresAt,
      wantedAt: null,
    });
    expect(await semaphore().holders('nobody-here')).toEqual([]);
  });
});

describe('arguments', () => {
  it('rejects bad acquire arguments naming each one and its value, and writes nothing', async () => {
    const err = await rejectionOf(semaphore().acquire('', 0, 0, ' '));
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toMatch(
      /^invalid semaphore acquire arguments: key = "": .*; maxLocks = 0: .*; leaseMs = 0: .*; holder = " ": must be a non-empty string$/,
    );
    for (const [maxLocks, leaseMs, pattern] of [
      [1.5, 1000, /maxLocks = 1\.5: /],
      [-1, 1000, /maxLocks = -1: /],
      [Number.NaN, 1000, /maxLocks = null: /],
      [10_001, 1000, /maxLocks = 10001: /],
      [1, 0.5, /leaseMs = 0\.5: /],
      [1, 2 ** 31, /leaseMs = 2147483648: /],
    ] as const) {
      await expect(semaphore().acquire('args', maxLocks, leaseMs, 'h')).rejects.toThrow(pattern);
    }
    expect(
      await testDb().db.selectFrom('semaphore_slots').selectAll().where('key', 'in', ['', 'args']).execute(),
    ).toEqual([]);
  });

  it('rejects a refresh leaseMs, a forged lease or a blank holders key', async () => {
    const lease = await acquireOrFail('args-lease', 1);
    await expect(semaphore().refresh(lease, 0)).rejects.toThrow(/semaphore refresh arguments: leaseMs = 0: /);
    await expect(semaphore().refresh({ ...lease, token: 'abc' })).rejects.toThrow(
      /lease passed to semaphore refresh: token = "abc": must be the decimal token acquire returned/,
    );
    await expect(semaphore().release({ ...lease, slot: -1 })).rejects.toThrow(/slot = -1: /);
    await expect(semaphore().holders('')).rejects.toThrow(/key = "": must be a non-empty string/);
  });

  it('rejects options that are not a pino logger', () => {
    expect(() => createSemaphore(testDb().db, { logger: {} as never })).toThrow(
      /invalid semaphore options: logger = \{\}: must be a pino logger/,
    );
  });
});

describe('failures', () => {
  it('surfaces a Postgres error as SemaphoreQueryError naming operation, key and the next step, cause kept', async () => {
    const pool = new pg.Pool({ connectionString: withSearchPath(TEST_DATABASE_URL, 'no_semaphore_here'), max: 1 });
    const unmigrated = new Kysely<SemaphoreDatabase>({ dialect: new PostgresDialect({ pool }) });
    try {
      const err = await rejectionOf(createSemaphore(unmigrated).acquire('nowhere', 1, 1000, 'h'));
      expect(err).toBeInstanceOf(SemaphoreQueryError);
      expect(err).toMatchObject({
        code: 'SEMAPHORE_QUERY_FAILED',
        operation: 'acquire',
        key: 'nowhere',
        sqlState: '42P01',
      });
      expect((err as SemaphoreQueryError).message).toMatch(/run migrateSemaphore\(db\)/);
      expect((err as SemaphoreQueryError).cause).toBeInstanceOf(Error);
    } finally {
      await unmigrated.destroy();
    }
  });
});

describe('logging', () => {
  it('logs acquire, refresh, release and a lost lease at debug with key, slot, token and holder', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    });
    const s = createSemaphore(testDb().db, { logger: pino({ level: 'debug' }, sink) });
    const lease = await s.acquire('logged', 1, MINUTE_MS, 'logger-test');
    if (!lease) throw new Error('expected a slot');
    await s.refresh(lease);
    await s.release(lease);
    await rejectionOf(s.release(lease));
    const fields = { component: 'semaphore', key: 'logged', slot: 0, token: lease.token, holder: 'logger-test' };
    expect(lines.map((line) => line.msg)).toEqual([
      'lease acquired',
      'lease refreshed',
      'lease released',
      'lease lost',
    ]);
    for (const line of lines) expect(line).toMatchObject({ level: 20, ...fields });
  });
});
