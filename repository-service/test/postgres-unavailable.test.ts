import { createServer } from 'node:net';
import { createOutbox } from '@changeflow/outbox';
import type { RevalDatabase, RevalIndexDatabase } from '@changeflow/reval';
import { testAwsClients } from '@changeflow/test-support';
import type { FastifyInstance } from 'fastify';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/index.js';
import { gmcDoctor, READ, testConfig, WRITE } from './support.js';

/** A loopback port nothing listens on: taken, then released, so a connect is refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address !== 'object') throw new Error('no port');
  return address.port;
}

let app: FastifyInstance;
let db: Kysely<RevalDatabase>;
const aws = testAwsClients();

beforeAll(async () => {
  const port = await closedPort();
  const pool = new pg.Pool({ connectionString: `postgres://postgres@127.0.0.1:${port}/test`, max: 2 });
  pool.on('error', () => {});
  db = new Kysely<RevalDatabase>({ dialect: new PostgresDialect({ pool }) });
  const logger = pino({ level: 'silent' });
  const outbox = createOutbox({ db, sns: aws.sns, logger }, { topicPrefix: 'unreachable' });
  app = await buildApp({
    config: testConfig({ INDEX_SCHEMA: 'reval_idx', CHANGEFLOW_PREFIX: 'unreachable' }),
    db,
    indexDb: db as unknown as Kysely<RevalIndexDatabase>,
    outbox,
    logger,
  });
});

afterAll(async () => {
  await app?.close();
  await db?.destroy();
  aws.destroy();
});

describe('Postgres unreachable (issue 16, item 6)', () => {
  it.each([
    [
      'a write',
      { method: 'PUT', url: '/api/gmc/doctors/7000400', headers: WRITE, payload: gmcDoctor('7000400', null) },
    ],
    ['a delete', { method: 'DELETE', url: '/api/gmc/doctors/7000400', headers: WRITE }],
    [
      'an import',
      {
        method: 'POST',
        url: '/api/gmc/doctors',
        headers: { ...WRITE, 'content-type': 'application/x-ndjson' },
        payload: `${JSON.stringify(gmcDoctor('7000401', null))}\n`,
      },
    ],
    ['a query', { method: 'GET', url: '/api/v1/doctors', headers: READ }],
  ] as const)('answers 503 with Retry-After in the error shape to %s', async (_what, request) => {
    const answer = await app.inject(request);
    expect(answer.statusCode).toBe(503);
    expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
    expect(answer.json()).toEqual({
      error: 'Service Unavailable',
      message: expect.stringContaining('retry after'),
    });
  });
});
