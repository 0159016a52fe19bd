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
});
