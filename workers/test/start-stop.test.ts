import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { PostgresUnreachableError } from '@changeflow/app-kit';
import { defineWorker } from '@changeflow/consumer';
import { uniquePrefix, waitFor, withSearchPath } from '@changeflow/test-support';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { loadConfig, startWorkersApp } from '../src/index.js';
import { MAIN_SCRIPT, spawnScript, startMain, useWorkersTestDatabase, workerEnv } from './helpers.js';

const testDb = useWorkersTestDatabase('workers_start');

async function listen(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { server, port: address.port };
}

async function closedPort(): Promise<number> {
  const { server, port } = await listen();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** `DATABASE_URL` of the test schema with an application_name, so the test can count the app's connections. */
function urlWithApplicationName(name: string): string {
  const url = new URL(testDb().url);
  url.searchParams.set('application_name', name);
  return url.toString();
}

async function connectionsOf(applicationName: string): Promise<number> {
  const { rows } = await sql<{ count: string }>`
    select count(*) as count from pg_stat_activity where application_name = ${applicationName}`.execute(testDb().db);
  return Number(rows[0]?.count);
}

describe('starting and stopping the workers app', () => {
  it('fails with an error naming the address and the next step when Postgres is unreachable', async () => {
    const port = await closedPort();
    const config = loadConfig({ DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/test`, ADMIN_PORT: '0' });
    const starting = startWorkersApp({ config, workers: [] });
    await expect(starting).rejects.toBeInstanceOf(PostgresUnreachableError);
    await expect(starting).rejects.toThrow(
      new RegExp(
        `^cannot reach Postgres at 127\\.0\\.0\\.1:${port} \\(.*ECONNREFUSED.*\\): start it or set DATABASE_URL$`,
      ),
    );
  });

  it('undoes a start that fails half-way: a missing queue leaves no connection open', async () => {
    const applicationName = uniquePrefix('half-start');
    const worker = defineWorker({ name: 'unprovisioned', subscribesTo: ['trainee'], async handle() {} });
    const env = workerEnv(testDb(), uniquePrefix('start'), { DATABASE_URL: urlWithApplicationName(applicationName) });
    await expect(startWorkersApp({ config: loadConfig(env), workers: [worker] })).rejects.toMatchObject({
      code: 'QUEUE_MISSING',
      message: expect.stringContaining('CHANGEFLOW_PROVISION=true'),
    });
    await waitFor(async () => (await connectionsOf(applicationName)) === 0, { description: 'the pool closed' });
  });

  it('undoes a start that fails at the last step: a taken admin port stops the runtime, sweeper and pool', async () => {
    const applicationName = uniquePrefix('late-fail');
    const { server, port } = await listen();
    try {
      const worker = defineWorker({ name: 'late', subscribesTo: ['trainee'], async handle() {} });
      const env = workerEnv(testDb(), uniquePrefix('start'), {
        DATABASE_URL: urlWithApplicationName(applicationName),
        CHANGEFLOW_PROVISION: 'true',
        ADMIN_PORT: String(port),
      });
      await expect(startWorkersApp({ config: loadConfig(env), workers: [worker] })).rejects.toThrow(
        `admin HTTP cannot listen on 127.0.0.1:${port}: the port is taken; stop what holds it or set ADMIN_PORT (0 picks a free one)`,
      );
      await waitFor(async () => (await connectionsOf(applicationName)) === 0, { description: 'the pool closed' });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('migrates an empty schema at start (MIGRATE=true), and starts again on a migrated one', async () => {
    const schema = `t_workers_migrate_${uniquePrefix('m').slice(3).replace(/-/g, '_')}`;
    await sql`create schema ${sql.id(schema)}`.execute(testDb().db);
    try {
      const env = workerEnv(testDb(), uniquePrefix('start'), {
        DATABASE_URL: withSearchPath(testDb().url, schema),
        MIGRATE: 'true',
      });
      // The second start finds everything migrated and changes nothing.
      await (await startWorkersApp({ config: loadConfig(env), workers: [] })).stop();
      await (await startWorkersApp({ config: loadConfig(env), workers: [] })).stop();
      const { rows } = await sql<{ table_name: string }>`
        select table_name from information_schema.tables where table_schema = ${schema} order by table_name`.execute(
        testDb().db,
      );
      expect(rows.map((row) => row.table_name)).toEqual(
        expect.arrayContaining(['changes', 'failed_messages', 'semaphore_slots']),
      );
    } finally {
      await sql`drop schema ${sql.id(schema)} cascade`.execute(testDb().db);
    }
  });

  it('stops once however often stop() is called, closing the admin port and the pool', async () => {
    const applicationName = uniquePrefix('stop');
    const env = workerEnv(testDb(), uniquePrefix('start'), { DATABASE_URL: urlWithApplicationName(applicationName) });
    const app = await startWorkersApp({ config: loadConfig(env), workers: [] });
    expect(await connectionsOf(applicationName)).toBeGreaterThan(0);
    await Promise.all([app.stop(), app.stop()]);
    await app.stop();
    await expect(fetch(`${app.adminUrl}/health`)).rejects.toThrow();
    await waitFor(async () => (await connectionsOf(applicationName)) === 0, { description: 'the pool closed' });
  });
});

describe('npm run workers (main.ts)', () => {
  it('exits 1 at once on a bad environment, naming every bad variable', async () => {
    const child = spawnScript(MAIN_SCRIPT, [], {
      ADMIN_PORT: 'http',
      LOG_LEVEL: 'chatty',
      CHANGEFLOW_PROVISION: 'sure',
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(1);
    const { level, msg } = JSON.parse(output.trim()) as { level: number; msg: string };
    expect(level).toBe(60);
    expect(msg).toMatch(/^invalid workers configuration: /);
    expect(msg).toContain('ADMIN_PORT = "http": must be a whole number from 0 to 65535');
    expect(msg).toContain('LOG_LEVEL = "chatty": must be one of');
    expect(msg).toContain('CHANGEFLOW_PROVISION = "sure": must be true or false');
  }, 60_000);

  it('starts the registered workers, logs the admin URL, and exits 0 on SIGTERM', async () => {
    // The registered workers are reval's: main migrates their tables and provisions their queues.
    const main = await startMain(
      workerEnv(testDb(), uniquePrefix('main'), {
        LOG_LEVEL: 'info',
        MIGRATE: 'true',
        CHANGEFLOW_PROVISION: 'true',
        INDEX_SCHEMA: `${testDb().schema}_idx`,
      }),
    );
    const health = await fetch(`${main.adminUrl}/health`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${main.adminUrl}/ready`);
    expect(ready.status).toBe(200);
    main.child.kill('SIGTERM');
    expect(await main.exited).toEqual({ code: 0, signal: null });
    expect(main.stderr()).toBe('');
  }, 60_000);
});
