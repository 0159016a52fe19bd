import type { RevalDatabase } from '@changeflow/reval';
import { uniquePrefix, useTestDatabase, waitFor } from '@changeflow/test-support';
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { type RepositoryService, startRepositoryService } from '../src/index.js';
import { READ, testConfig, trainee, WRITE } from './support.js';

const testDb = useTestDatabase<RevalDatabase>('repo_service');
const logger = pino({ level: 'silent' });
let service: RepositoryService | undefined;
afterAll(async () => {
  await service?.stop();
  await sql`drop schema if exists ${sql.id(`${testDb().schema}_idx`)} cascade`.execute(testDb().db);
});

describe('startRepositoryService', () => {
  it('migrates, listens, writes with changes it publishes, and stops', async () => {
    const { schema, db } = testDb();
    const config = testConfig({
      DATABASE_URL: testDb().url,
      INDEX_SCHEMA: `${schema}_idx`,
      CHANGEFLOW_PREFIX: uniquePrefix('repo-service'),
      PORT: '0',
    });
    service = await startRepositoryService(config, { logger });
    expect(service.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    expect(await (await fetch(`${service.url}/health`)).json()).toEqual({ status: 'ok' });
    const put = await fetch(`${service.url}/api/tcs/trainees/42`, {
      method: 'PUT',
      headers: { ...WRITE, 'content-type': 'application/json' },
      body: JSON.stringify(trainee(42, '7900042')),
    });
    expect(put.status).toBe(201);
    const { changeNumber } = (await put.json()) as { changeNumber: string };
    await waitFor(
      async () =>
        (
          await db
            .selectFrom('changes')
            .select('published_at')
            .where('change_number', '=', changeNumber)
            .executeTakeFirst()
        )?.published_at,
      { description: 'the change published by the fast path' },
    );
    const page = await fetch(`${service.url}/api/connection/connected`, { headers: READ });
    expect(await page.json()).toEqual({
      totalResults: 0,
      totalPages: 0,
      records: [],
      nextCursor: null,
      previousCursor: null,
    });

    const running = service;
    await Promise.all([running.stop(), running.stop()]);
    await expect(fetch(`${running.url}/health`)).rejects.toThrow();
  });

  it('fails to start with an error naming the unreachable Postgres and the variable to set', async () => {
    const config = testConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none', PORT: '0' });
    await expect(startRepositoryService(config, { logger })).rejects.toThrow(
      /^cannot reach Postgres at 127\.0\.0\.1:1 \(.*\): start it or set DATABASE_URL$/,
    );
  });
});
