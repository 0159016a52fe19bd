import { useTestDatabase, waitFor } from '@changeflow/test-support';
import { sql } from 'kysely';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../src/index.js';

const testDb = useTestDatabase<Record<string, never>>('app-kit-postgres', async () => {});

describe('the app pool', () => {
  it('survives a backend terminated while a transaction holds its connection between statements', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });
    const app = await openDatabase(testDb().url, { variable: 'DATABASE_URL', logger, poolSize: 2 });
    try {
      const transaction = app.db.transaction().execute(async (trx) => {
        const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
        await sql`select pg_terminate_backend(${rows[0]?.pid})`.execute(testDb().db);
        // Between statements, no query is active: pg emits 'error' on the checked-out client.
        await waitFor(() => lines.some((line) => line.includes('a Postgres connection failed')), {
          description: 'the connection error to reach the client',
        });
        await sql`select 1`.execute(trx);
      });
      await expect(transaction).rejects.toThrow();
      const { rows } = await sql<{ ok: number }>`select 1 as ok`.execute(app.db);
      expect(rows).toEqual([{ ok: 1 }]);
    } finally {
      await app.close();
    }
  });

  it('cancels a statement running past PG_STATEMENT_TIMEOUT_MS', async () => {
    const app = await openDatabase(testDb().url, {
      variable: 'DATABASE_URL',
      logger: pino({ level: 'silent' }),
      poolSize: 2,
      timeouts: { statementTimeoutMs: 200 },
    });
    try {
      // 57014 query_canceled: "canceling statement due to statement timeout".
      await expect(sql`select pg_sleep(600)`.execute(app.db)).rejects.toMatchObject({ code: '57014' });
      const { rows } = await sql<{ ok: number }>`select 1 as ok`.execute(app.db);
      expect(rows).toEqual([{ ok: 1 }]);
    } finally {
      await app.close();
    }
  });
  it('ends a transaction left idle past PG_IDLE_IN_TRANSACTION_TIMEOUT_MS, releasing its row locks', async () => {
    const app = await openDatabase(testDb().url, {
      variable: 'DATABASE_URL',
      logger: pino({ level: 'silent' }),
      poolSize: 2,
      timeouts: { idleInTransactionTimeoutMs: 300 },
    });
    let resume = () => {};
    const resumed = new Promise<void>((resolve) => {
      resume = resolve;
    });
    try {
      await sql`create table held (id int primary key)`.execute(testDb().db);
      await sql`insert into held values (1)`.execute(testDb().db);
      let locked = () => {};
      const isLocked = new Promise<void>((resolve) => {
        locked = resolve;
      });
      // A paused service: it locks the row, then waits between statements and never commits.
      const paused = app.db.transaction().execute(async (trx) => {
        await sql`select id from held where id = 1 for update`.execute(trx);
        locked();
        await resumed;
        await sql`select 1`.execute(trx);
      });
      await isLocked;
      // Without the limit this waits for ever: the paused transaction holds the lock.
      const { rows } = await sql<{ id: number }>`select id from held where id = 1 for update`.execute(testDb().db);
      expect(rows).toEqual([{ id: 1 }]);
      resume();
      await expect(paused).rejects.toThrow();
    } finally {
      resume();
      await app.close();
    }
  });
});
