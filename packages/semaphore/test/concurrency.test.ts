import { takeManyConnectionsTurn, useTestDatabase } from '@changeflow/test-support';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSemaphore,
  type Lease,
  LeaseLostError,
  migrateSemaphore,
  type Semaphore,
  type SemaphoreDatabase,
} from '../src/index.js';
import { countLiveRows, expireLeases } from './helpers.js';

const testDb = useTestDatabase<SemaphoreDatabase>('semaphore_race', migrateSemaphore);

const RACERS = 20;
const MAX_LOCKS = 3;
const LEASE_MS = 60_000;

// G6 under load: 20 acquirers, each query on a connection of its own (a pool of 25, warmed up so
// every racer's statement reaches Postgres at once), a separate monitor connection counting the table.
let racerDb: Kysely<SemaphoreDatabase>;
let monitorDb: Kysely<SemaphoreDatabase>;
let semaphore: Semaphore;
let endTurn: (() => Promise<void>) | undefined;

beforeAll(async () => {
  endTurn = await takeManyConnectionsTurn();
  racerDb = new Kysely({ dialect: new PostgresDialect({ pool: testDb().createPool(RACERS + 5) }) });
  monitorDb = new Kysely({ dialect: new PostgresDialect({ pool: testDb().createPool(2) }) });
  semaphore = createSemaphore(racerDb);
  await Promise.all(Array.from({ length: RACERS + 5 }, () => sql`select pg_sleep(0.05)`.execute(racerDb)));
});

afterAll(async () => {
  await racerDb?.destroy();
  await monitorDb?.destroy();
  await endTurn?.();
});

/** Runs `work`, counting the key's live rows on another connection as fast as it can meanwhile. */
async function whileMonitoring<T>(
  key: string,
  work: () => Promise<T>,
): Promise<{ result: T; maxLive: number; samples: number }> {
  let isDone = false;
  let maxLive = 0;
  let samples = 0;
  const monitor = (async () => {
    while (!isDone) {
      maxLive = Math.max(maxLive, await countLiveRows(monitorDb, key));
      samples++;
    }
  })();
  try {
    return { result: await work(), maxLive, samples };
  } finally {
    isDone = true;
    await monitor;
  }
}

function race(key: string, maxLocks = MAX_LOCKS): Promise<(Lease | undefined)[]> {
  return Promise.all(
    Array.from({ length: RACERS }, (_, i) => semaphore.acquire(key, maxLocks, LEASE_MS, `racer-${i}`)),
  );
}

async function expectWithinLimit(key: string, maxLocks = MAX_LOCKS): Promise<void> {
  const live = await countLiveRows(testDb().db, key);
  const holders = await semaphore.holders(key);
  expect(live).toBeLessThanOrEqual(maxLocks);
  expect(holders).toHaveLength(live);
  expect(new Set(holders.map((h) => h.slot)).size).toBe(holders.length);
  expect(new Set(holders.map((h) => h.token)).size).toBe(holders.length);
}

describe('20 concurrent acquirers with maxLocks 3', () => {
  it('grant exactly 3 slots of a fresh key, 0 to 2, in every one of 25 rounds', async () => {
    for (let round = 0; round < 25; round++) {
      const key = `fresh-${round}`;
      const { result, maxLive } = await whileMonitoring(key, () => race(key));
      const granted = result.filter((lease) => lease !== undefined);
      expect(granted.map((lease) => lease.slot).sort()).toEqual([0, 1, 2]);
      expect(maxLive).toBeLessThanOrEqual(MAX_LOCKS);
      expect((await semaphore.holders(key)).map((h) => h.token).sort()).toEqual(granted.map((l) => l.token).sort());
      await expectWithinLimit(key);
    }
  });

  it('never hold more than 3 unexpired leases through 60 rounds of racing acquire, refresh, release and takeover', async () => {
    const key = 'churn';
    const held: (Lease | undefined)[] = Array.from({ length: RACERS }, () => undefined);
    let acquired = 0;
    let refused = 0;
    let lost = 0;
    let maxLiveSeen = 0;
    let samples = 0;
    const expiredByTest = new Set<string>();

    // One racer's move this round: a holder releases, refreshes or just keeps its lease; the others acquire.
    const move = async (i: number, round: number): Promise<void> => {
      const lease = held[i];
      try {
        if (lease === undefined) {
          held[i] = await semaphore.acquire(key, MAX_LOCKS, LEASE_MS, `racer-${i}`);
          if (held[i]) acquired++;
          else refused++;
          return;
        }
        const choice = (i + round) % 4;
        if (choice === 0) {
          held[i] = undefined;
          await semaphore.release(lease);
        } else if (choice !== 3) {
          held[i] = await semaphore.refresh(lease);
        }
      } catch (err) {
        if (!(err instanceof LeaseLostError)) throw err;
        expect(err).toMatchObject({ code: 'LEASE_LOST', key, token: lease?.token });
        held[i] = undefined;
        lost++;
      }
    };

    for (let round = 0; round < 60; round++) {
      // Every fifth round, time moves in the data while the racers run: every live lease expires at once,
      // so the next acquirers take slots over and the old holders' refreshes and releases must fail.
      const expiry =
        round % 5 === 4
          ? expireLeases(racerDb, key).then((tokens) => {
              for (const token of tokens) expiredByTest.add(token);
            })
          : Promise.resolve();
      const { maxLive, samples: roundSamples } = await whileMonitoring(key, () =>
        Promise.all([expiry, ...held.map((_, i) => move(i, round))]),
      );
      maxLiveSeen = Math.max(maxLiveSeen, maxLive);
      samples += roundSamples;
      await expectWithinLimit(key);

      // Every live row belongs to exactly one racer that believes it holds that token, and every racer
      // that believes it holds a lease holds a live one, unless the test expired it: nobody lost a slot
      // to a takeover before its lease ran out.
      const liveTokens = (await semaphore.holders(key)).map((h) => h.token);
      const believed = held.filter((lease) => lease !== undefined).map((lease) => lease.token);
      expect(new Set(believed).size).toBe(believed.length);
      for (const token of liveTokens) expect(believed).toContain(token);
      expect(believed.filter((token) => !liveTokens.includes(token) && !expiredByTest.has(token))).toEqual([]);
    }

    expect(maxLiveSeen).toBeLessThanOrEqual(MAX_LOCKS);
    expect(samples).toBeGreaterThan(60);
    expect(acquired).toBeGreaterThan(60);
    expect(refused).toBeGreaterThan(0);
    expect(lost).toBeGreaterThan(0);
    expect(expiredByTest.size).toBeGreaterThan(0);
  });

  it('grant exactly one more slot at a time while slots above a lowered maxLocks are held', async () => {
    const key = 'lowered';
    const wide: Lease[] = [];
    for (let i = 0; i < 5; i++) {
      const lease = await semaphore.acquire(key, 5, LEASE_MS, `wide-${i}`);
      if (!lease) throw new Error('expected a slot of maxLocks 5');
      wide.push(lease);
    }
    for (const lease of wide.slice(0, 3)) await semaphore.release(lease);

    // Slots 3 and 4 (from maxLocks 5) count against maxLocks 3: room for one, then one more per slot freed.
    for (const [expectedSlot, free] of [
      [0, undefined],
      [1, wide[4]],
      [2, wide[3]],
    ] as const) {
      if (free) await semaphore.release(free);
      const { result, maxLive } = await whileMonitoring(key, () => race(key));
      expect(result.filter((lease) => lease !== undefined).map((lease) => lease.slot)).toEqual([expectedSlot]);
      expect(maxLive).toBeLessThanOrEqual(MAX_LOCKS);
      expect(await countLiveRows(testDb().db, key)).toBe(MAX_LOCKS);
    }
  });
});
