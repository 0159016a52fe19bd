import pg from 'pg';
import { TEST_DATABASE_URL } from './test-env.js';

/**
 * Waits for the turn of a test that opens tens of Postgres connections at once, and returns what
 * ends the turn. One such test runs at a time across the suite's files. Vitest runs four files at
 * once; two of these tests together (64 and 32 connections then) and a third file's pools passed
 * Postgres's default `max_connections` (100), and that file failed to connect with "sorry, too many
 * clients already". The turn is a session advisory lock, held on a connection of its own.
 *
 * @example
 * beforeAll(async () => { endTurn = await takeManyConnectionsTurn(); pool = testDb().createPool(25); });
 * afterAll(async () => { await pool.end(); await endTurn(); });
 */
export async function takeManyConnectionsTurn(): Promise<() => Promise<void>> {
  const turn = new pg.Client({ connectionString: TEST_DATABASE_URL, application_name: 'test: many connections' });
  await turn.connect();
  try {
    await turn.query(`select pg_advisory_lock(hashtext('changeflow tests: many connections'))`);
  } catch (err) {
    await turn.end();
    throw err;
  }
  // Ending the session releases the lock.
  return () => turn.end();
}

/** Runs `work` in a turn of `takeManyConnectionsTurn`. */
export async function withManyConnections<T>(work: () => Promise<T>): Promise<T> {
  const endTurn = await takeManyConnectionsTurn();
  try {
    return await work();
  } finally {
    await endTurn();
  }
}
