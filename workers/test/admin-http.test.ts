import { createServer } from 'node:net';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { defineWorker, type WorkerDefinition } from '@changeflow/consumer';
import { recordChanges } from '@changeflow/outbox';
import { startTcpProxy, testAwsClients, uniquePrefix, waitFor } from '@changeflow/test-support';
import { sql } from 'kysely';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { loadConfig, type ReadinessReport, startWorkersApp, type WorkersApp } from '../src/index.js';
import {
  metricValue,
  publishChanges,
  queueDepth,
  queueUrlOf,
  testChanges,
  useWorkersTestDatabase,
  workerEnv,
} from './helpers.js';

const testDb = useWorkersTestDatabase('workers_admin');
const aws = testAwsClients();
afterAll(() => aws.destroy());

/** Never ticks during a test (1 January, midnight): messages wait until the test calls runOnce. */
const NEVER = '0 0 1 1 *';

async function get(url: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url);
  return { status: response.status, text: await response.text() };
}

async function metrics(app: WorkersApp): Promise<string> {
  const { status, text } = await get(`${app.adminUrl}/metrics`);
  expect(status).toBe(200);
  return text;
}

async function ready(app: WorkersApp): Promise<{ status: number; body: ReadinessReport }> {
  const { status, text } = await get(`${app.adminUrl}/ready`);
  return { status, body: JSON.parse(text) as ReadinessReport };
}

async function startApp(env: Record<string, string>, workers: readonly WorkerDefinition[]): Promise<WorkersApp> {
  // In this process the logs would mix with vitest's output; the assertions say what happened.
  return startWorkersApp({ config: loadConfig({ ...env, LOG_LEVEL: 'silent' }), workers });
}

/** A port nothing listens on: bound by the OS, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('the admin HTTP', () => {
  it('answers /health and /ready, and /metrics shows the queue depth of messages no worker has taken yet', async () => {
    const prefix = uniquePrefix('admin');
    let handled = 0;
    const worker = defineWorker({
      name: 'depth',
      subscribesTo: ['trainee'],
      schedule: NEVER,
      waitTimeSeconds: 0,
      async handle() {
        handled += 1;
      },
    });
    const app = await startApp(workerEnv(testDb(), prefix, { CHANGEFLOW_PROVISION: 'true' }), [worker]);
    try {
      expect(await get(`${app.adminUrl}/health`)).toEqual({ status: 200, text: '{"status":"ok"}' });
      const { status, body } = await ready(app);
      expect(status).toBe(200);
      expect(body).toMatchObject({
        status: 'ready',
        failed: [],
        checks: { postgres: { ok: true }, sqs: { ok: true } },
      });

      await publishChanges(aws.sns, prefix, testChanges('trainee', 25));
      const main = { worker: 'depth', queue: 'main' };
      const waiting = await waitFor(
        async () => {
          const text = await metrics(app);
          return metricValue(text, 'changeflow_worker_queue_messages', { ...main, state: 'visible' }) === 25 && text;
        },
        { description: '25 visible messages in the metrics' },
      );
      expect(metricValue(waiting, 'changeflow_worker_queue_messages', { ...main, state: 'in_flight' })).toBe(0);
      expect(
        metricValue(waiting, 'changeflow_worker_queue_messages', { worker: 'depth', queue: 'dlq', state: 'visible' }),
      ).toBe(0);
      expect(metricValue(waiting, 'changeflow_worker_held_slots', { worker: 'depth' })).toBe(0);
      expect(metricValue(waiting, 'changeflow_worker_max_slots', { worker: 'depth' })).toBe(1);
      expect(metricValue(waiting, 'changeflow_outbox_backlog_changes')).toBe(0);
      for (const name of [
        'changeflow_worker_messages_total',
        'changeflow_worker_handler_duration_seconds',
        'changeflow_worker_in_flight_messages',
        'changeflow_outbox_oldest_unpublished_age_seconds',
      ]) {
        expect(waiting).toContain(`# TYPE ${name} `);
      }

      expect(await app.runtime.runOnce('depth')).toBe('ran');
      expect(handled).toBe(25);
      const after = await metrics(app);
      expect(metricValue(after, 'changeflow_worker_messages_total', { worker: 'depth', outcome: 'done' })).toBe(25);
      expect(metricValue(after, 'changeflow_worker_handler_duration_seconds_count', { worker: 'depth' })).toBe(25);
      expect(metricValue(after, 'changeflow_worker_runs_total', { worker: 'depth' })).toBe(1);
      expect(metricValue(after, 'changeflow_worker_queue_messages', { ...main, state: 'visible' })).toBe(0);
      expect(metricValue(after, 'changeflow_worker_queue_messages', { ...main, state: 'in_flight' })).toBe(0);
    } finally {
      await app.stop();
    }
  });

  it('shows a message in flight, the slot held while a handler works, and a dead letter in the DLQ depth', async () => {
    const prefix = uniquePrefix('admin');
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started = 0;
    const worker = defineWorker({
      name: 'gated',
      subscribesTo: ['trainee'],
      schedule: NEVER,
      waitTimeSeconds: 0,
      async handle() {
        started += 1;
        await gate;
      },
    });
    const app = await startApp(workerEnv(testDb(), prefix, { CHANGEFLOW_PROVISION: 'true' }), [worker]);
    try {
      await publishChanges(aws.sns, prefix, testChanges('trainee', 1));
      await waitFor(async () => (await queueDepth(aws.sqs, await queueUrlOf(aws.sqs, prefix, worker))).visible === 1, {
        description: 'the message in the queue',
      });
      const run = app.runtime.runOnce('gated');
      await waitFor(() => started === 1, { description: 'the handler started' });
      const during = await metrics(app);
      expect(metricValue(during, 'changeflow_worker_in_flight_messages', { worker: 'gated' })).toBe(1);
      expect(
        metricValue(during, 'changeflow_worker_queue_messages', { worker: 'gated', queue: 'main', state: 'in_flight' }),
      ).toBe(1);
      expect(metricValue(during, 'changeflow_worker_held_slots', { worker: 'gated' })).toBe(1);
      release();
      expect(await run).toBe('ran');

      // A body that is not a change message is dead-lettered at once (G5: with its reason).
      const queueUrl = await queueUrlOf(aws.sqs, prefix, worker);
      await aws.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'not json' }));
      expect(await app.runtime.runOnce('gated')).toBe('ran');
      const after = await metrics(app);
      expect(
        metricValue(after, 'changeflow_worker_queue_messages', { worker: 'gated', queue: 'dlq', state: 'visible' }),
      ).toBe(1);
      expect(metricValue(after, 'changeflow_worker_messages_total', { worker: 'gated', outcome: 'deadLetter' })).toBe(
        1,
      );
      expect(metricValue(after, 'changeflow_worker_held_slots', { worker: 'gated' })).toBe(0);
      expect(metricValue(after, 'changeflow_worker_in_flight_messages', { worker: 'gated' })).toBe(0);
    } finally {
      release();
      await app.stop();
    }
  });

  it('keeps /health up while stop() drains a handler, with /ready saying stopping', async () => {
    const prefix = uniquePrefix('admin');
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started = 0;
    const worker = defineWorker({
      name: 'draining',
      subscribesTo: ['trainee'],
      schedule: NEVER,
      waitTimeSeconds: 0,
      async handle() {
        started += 1;
        await gate;
      },
    });
    const app = await startApp(workerEnv(testDb(), prefix, { CHANGEFLOW_PROVISION: 'true' }), [worker]);
    try {
      await publishChanges(aws.sns, prefix, testChanges('trainee', 1));
      await waitFor(async () => (await queueDepth(aws.sqs, await queueUrlOf(aws.sqs, prefix, worker))).visible === 1);
      const run = app.runtime.runOnce('draining');
      await waitFor(() => started === 1, { description: 'the handler started' });
      const stopping = app.stop();
      const during = await ready(app);
      expect(during.status).toBe(503);
      expect(during.body.failed).toEqual(['stopping']);
      expect((await get(`${app.adminUrl}/health`)).status).toBe(200);
      release();
      await stopping;
      expect(await run).toBe('ran');
      expect(await queueDepth(aws.sqs, await queueUrlOf(aws.sqs, prefix, worker))).toEqual({ visible: 0, inFlight: 0 });
    } finally {
      release();
      await app.stop();
    }
  });

  it('measures the outbox backlog and the age of its oldest change at every scrape', async () => {
    const prefix = uniquePrefix('admin');
    // The sweeper never runs here, so only the scrape can have measured the backlog.
    const app = await startApp(workerEnv(testDb(), prefix, { SWEEPER_SCHEDULE: NEVER }), []);
    try {
      expect(metricValue(await metrics(app), 'changeflow_outbox_backlog_changes')).toBe(0);
      const recorded = await recordChanges(
        testDb().db,
        Array.from({ length: 3 }, (_, index) => ({
          objectType: 'trainee',
          objectId: `${prefix}-${index}`,
          objectVersion: 1,
          changeType: 'CREATE' as const,
        })),
      );
      // Move time in the data: the oldest change was recorded 42 s ago by the database clock.
      await sql`update changes set created_at = now() - interval '42 seconds'
                where change_number = ${recorded[0]?.changeNumber}`.execute(testDb().db);
      const text = await metrics(app);
      expect(metricValue(text, 'changeflow_outbox_backlog_changes')).toBe(3);
      const age = metricValue(text, 'changeflow_outbox_oldest_unpublished_age_seconds') ?? 0;
      expect(age).toBeGreaterThanOrEqual(42);
      expect(age).toBeLessThan(60);
    } finally {
      await sql`delete from changes where object_id like ${`${prefix}-%`}`.execute(testDb().db);
      await app.stop();
    }
  });

  it('answers /ready 503 naming SQS while SQS is unreachable, keeps serving /metrics, and recovers', async () => {
    const prefix = uniquePrefix('admin');
    const proxy = await startTcpProxy(inject('awsEndpoint'));
    const worker = defineWorker({ name: 'outage', subscribesTo: ['trainee'], schedule: NEVER, async handle() {} });
    const app = await startApp(
      workerEnv(testDb(), prefix, { CHANGEFLOW_PROVISION: 'true', AWS_ENDPOINT_URL: proxy.endpoint }),
      [worker],
    );
    try {
      await publishChanges(aws.sns, prefix, testChanges('trainee', 2));
      await waitFor(
        async () =>
          metricValue(await metrics(app), 'changeflow_worker_queue_messages', {
            worker: 'outage',
            queue: 'main',
            state: 'visible',
          }) === 2,
      );
      await proxy.down();
      const down = await ready(app);
      expect(down.status).toBe(503);
      expect(down.body.failed).toEqual(['sqs']);
      expect(down.body.checks.postgres.ok).toBe(true);
      expect(down.body.checks.sqs.error).toBeTruthy();
      // The failing collector keeps its last value and the rest of the scrape still answers.
      const text = await metrics(app);
      expect(
        metricValue(text, 'changeflow_worker_queue_messages', { worker: 'outage', queue: 'main', state: 'visible' }),
      ).toBe(2);
      expect(metricValue(text, 'changeflow_worker_held_slots', { worker: 'outage' })).toBe(0);
      await proxy.up();
      const up = await ready(app);
      expect(up.status).toBe(200);
      expect(up.body.failed).toEqual([]);
    } finally {
      await app.stop();
      await proxy.close();
    }
  });

  it('answers /ready 503 naming SQS when AWS_ENDPOINT_URL points at a closed port', async () => {
    const port = await closedPort();
    const app = await startApp(
      workerEnv(testDb(), uniquePrefix('admin'), { AWS_ENDPOINT_URL: `http://127.0.0.1:${port}` }),
      [],
    );
    try {
      const { status, body } = await ready(app);
      expect(status).toBe(503);
      expect(body.failed).toEqual(['sqs']);
      expect(body.checks.sqs.error).toMatch(/ECONNREFUSED/);
      expect((await get(`${app.adminUrl}/health`)).status).toBe(200);
    } finally {
      await app.stop();
    }
  });

  it('answers /ready 503 naming Postgres while Postgres is unreachable, keeps serving /metrics, and recovers', async () => {
    const url = new URL(testDb().url);
    const proxy = await startTcpProxy(`http://${url.hostname}:${url.port || '5432'}`);
    const proxied = new URL(testDb().url);
    proxied.host = new URL(proxy.endpoint).host;
    const worker = defineWorker({ name: 'pg-outage', subscribesTo: ['trainee'], schedule: NEVER, async handle() {} });
    const app = await startApp(
      workerEnv(testDb(), uniquePrefix('admin'), {
        CHANGEFLOW_PROVISION: 'true',
        DATABASE_URL: proxied.toString(),
        SWEEPER_SCHEDULE: NEVER,
      }),
      [worker],
    );
    try {
      expect((await ready(app)).status).toBe(200);
      await proxy.down();
      const down = await ready(app);
      expect(down.status).toBe(503);
      expect(down.body.failed).toEqual(['postgres']);
      expect(down.body.checks.sqs.ok).toBe(true);
      const text = await metrics(app);
      expect(
        metricValue(text, 'changeflow_worker_queue_messages', { worker: 'pg-outage', queue: 'main', state: 'visible' }),
      ).toBe(0);
      await proxy.up();
      await waitFor(async () => (await ready(app)).status === 200, { description: '/ready 200 again' });
    } finally {
      await app.stop();
      await proxy.close();
    }
  });
});
