import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetQueueUrlCommand, type MessageAttributeValue, SendMessageCommand } from '@aws-sdk/client-sqs';
import { asConsumerDb, recordFailure } from '@changeflow/consumer';
import {
  type ChangeInput,
  type ChangeRecorder,
  encodeChangeMessageBody,
  type OutboxDatabase,
  recordChanges,
  recordWrite,
  toChangeMessage,
} from '@changeflow/outbox';
import { type GmcDoctorInput, type RevalDatabase, saveGmcDoctors, saveTrainees } from '@changeflow/reval';
import { createSemaphore } from '@changeflow/semaphore';
import { testAwsClients, uniquePrefix, useTestDatabase, waitFor } from '@changeflow/test-support';
import {
  loadConfig as loadWorkersConfig,
  registeredJobs,
  registeredMigrations,
  registeredWorkers,
  startWorkersApp,
  type WorkersApp,
} from '@changeflow/workers';
import { type Kysely, sql, type Transaction } from 'kysely';
import { pino } from 'pino';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig, type RepositoryService, startRepositoryService } from '../src/index.js';
import { gmcDoctor, READ_TOKEN, trainee, WRITE_TOKEN } from './support.js';

/**
 * The console (issue 18) in a real browser: Debian's Chromium driven by playwright-core against an
 * `npm start`-style stack started here — the workers app (provisioning its queues, sweeper, reval
 * workers) and the repository-service on this file's schema, on the local SNS/SQS.
 */
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM_PATH);
const isCi = Boolean(process.env.CI);
const SCREENSHOTS_DIR =
  process.env.CONSOLE_SCREENSHOTS_DIR ?? fileURLToPath(new URL('../../.ci/artifacts/console/', import.meta.url));

if (!hasChromium && !isCi) {
  process.stderr.write(
    `console browser tests SKIPPED: no Chromium at ${CHROMIUM_PATH}. Install it with ` +
      '`apt-get update && apt-get install -y chromium` (or set CHROMIUM_PATH). Under CI=true they fail instead.\n',
  );
}

/** The Chromium flags of the lead's brief: no sandbox, GPU, QUIC or background traffic. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Doctors recorded in one burst whose changes stay unpublished (no fast path; the sweeper's grace is an hour). */
const BURST_DOCTORS = 60;
/** Doctors written through the API, published at once and projected: the lists have something to show. */
const API_DOCTORS = 5;
const PLANTED_GMC = '8100001';

/** Records changes in the transaction and nothing more: no fast path, as if the writer died after its commit. */
function unpublished(trx: Transaction<RevalDatabase>): ChangeRecorder {
  return {
    record: (list: ChangeInput | readonly ChangeInput[]) =>
      recordChanges(trx as unknown as Kysely<OutboxDatabase>, list),
    recordWrite: (write, change) => recordWrite(trx as unknown as Kysely<OutboxDatabase>, write, change),
    recorded: [],
  };
}

describe.skipIf(!hasChromium && !isCi)('the console in a real browser', () => {
  const testDb = useTestDatabase<RevalDatabase>('console_browser');
  let workers: WorkersApp | undefined;
  let service: RepositoryService | undefined;
  let context: BrowserContext | undefined;
  let userDataDir: string | undefined;
  let page: Page;
  let base: string;
  let prefix: string;
  let indexSchema: string;

  beforeAll(async () => {
    if (!hasChromium) {
      throw new Error(
        `Chromium is missing at ${CHROMIUM_PATH} and CI=true: CI must install it (apt-get install -y chromium)`,
      );
    }
    const { url, schema } = testDb();
    indexSchema = `${schema}_idx`;
    prefix = uniquePrefix('console');
    const env = {
      DATABASE_URL: url,
      INDEX_SCHEMA: indexSchema,
      CHANGEFLOW_PREFIX: prefix,
      CHANGEFLOW_PROVISION: 'true',
      AWS_ENDPOINT_URL: inject('awsEndpoint'),
      AWS_REGION: process.env.AWS_REGION,
      READ_TOKEN,
      WRITE_TOKEN,
      HOST: '127.0.0.1',
      PORT: '0',
      ADMIN_PORT: '0',
      SWEEPER_GRACE_MS: '3600000',
      LOG_LEVEL: 'silent',
    };
    const logger = pino({ level: 'silent' });
    workers = await startWorkersApp({
      config: loadWorkersConfig(env),
      workers: registeredWorkers,
      jobs: registeredJobs,
      migrate: registeredMigrations,
      logger,
    });
    service = await startRepositoryService(loadConfig({ ...env, WORKERS_METRICS_URL: `${workers.adminUrl}/metrics` }), {
      logger,
    });
    base = service.url;
    await mkdir(SCREENSHOTS_DIR, { recursive: true });
    userDataDir = await mkdtemp(join(tmpdir(), 'changeflow-console-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
  });

  afterAll(async () => {
    await context?.close();
    if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
    await service?.stop();
    await workers?.stop();
    if (indexSchema) await sql`drop schema if exists ${sql.id(indexSchema)} cascade`.execute(testDb().db);
  });

  const shoot = (name: string) => page.screenshot({ path: join(SCREENSHOTS_DIR, `${name}.png`), fullPage: true });

  async function signIn(token: string): Promise<void> {
    await page.goto(`${base}/console/login`);
    await page.getByLabel(/Token/).fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForLoadState();
  }

  /** Writes through the API with the write token (published at once by the fast path). */
  async function put(path: string, body: unknown): Promise<void> {
    const answer = await fetch(`${base}${path}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${WRITE_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(answer.status, await answer.text()).toBeLessThan(300);
  }

  it('refuses a wrong token and keeps every page behind the sign-in', async () => {
    await page.goto(`${base}/console/pipeline`);
    expect(new URL(page.url()).pathname).toBe('/console/login');
    const refused = page.waitForResponse(
      (response) => response.url().endsWith('/console/login') && response.request().method() === 'POST',
    );
    await page.getByLabel(/Token/).fill('not-the-token-0123456789');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect((await refused).status()).toBe(401);
    await page.getByRole('alert').filter({ hasText: 'That token is not valid' }).waitFor();
    await shoot('login-refused');
    await page.goto(`${base}/console/doctors`);
    expect(new URL(page.url()).pathname).toBe('/console/login');
  });

  it('shows the backlog on the pipeline page after a burst of writes, without a reload', async () => {
    for (let n = 1; n <= API_DOCTORS; n += 1) {
      await put(`/api/tcs/trainees/${9100 + n}`, trainee(9100 + n, `810000${n + 1}`));
      await put(`/api/gmc/doctors/810000${n + 1}`, gmcDoctor(`810000${n + 1}`, '1-1RSSQ6R'));
    }
    await signIn(WRITE_TOKEN);
    expect(new URL(page.url()).pathname).toBe('/console/pipeline');
    const { db } = testDb();
    // The burst: trainees and GMC records committed with their changes, none published yet.
    await db.transaction().execute(async (trx) => {
      const context = { trx, changes: unpublished(trx) };
      const people = Array.from({ length: BURST_DOCTORS }, (_, i) =>
        trainee(9500 + i, `82${String(i).padStart(5, '0')}`),
      );
      await saveTrainees(context, people);
      await saveGmcDoctors(
        context,
        people.map((person) => gmcDoctor(person.gmcReferenceNumber as string, '1-1RSSQ6R') as GmcDoctorInput),
      );
    });
    // The live panel refreshes itself every 2 s: the page is not reloaded.
    await waitFor(async () => Number(await page.getByTestId('backlog').textContent()) >= BURST_DOCTORS * 2, {
      timeoutMs: 20_000,
      intervalMs: 200,
      description: 'the backlog on the live pipeline panel',
    });
    // The API writes were projected: the reval-index worker's handler time comes from the workers' /metrics.
    await waitFor(
      async () => /\d ms/.test((await page.getByRole('row').filter({ hasText: 'reval-index' }).textContent()) ?? ''),
      { timeoutMs: 20_000, intervalMs: 200, description: 'the handler time of reval-index' },
    );
    await shoot('pipeline');
  });

  it('says on the pipeline page when another instance waits for a worker slot', async () => {
    const semaphore = createSemaphore(testDb().db);
    const key = 'changeflow:worker:reval-sync';
    // The workers app's own runs take the slot now and then: take it between two of them.
    const held = await waitFor(() => semaphore.acquire(key, 1, 60_000, 'console-test:1'), {
      timeoutMs: 20_000,
      intervalMs: 100,
      description: 'the reval-sync slot free',
    });
    try {
      // Another instance ticks and finds the one slot held.
      expect(await semaphore.acquire(key, 1, 60_000, 'standby')).toBeUndefined();
      await page.goto(`${base}/console/pipeline`);
      await page
        .getByRole('row')
        .filter({ hasText: 'reval-sync' })
        .filter({ hasText: 'console-test:1 (another instance waits)' })
        .waitFor();
    } finally {
      await semaphore.release(held);
    }
  });

  it('lists a dead letter planted through SQS with its reason, replays it, and its doctor reaches the index', async () => {
    const { db } = testDb();
    const sqs = testAwsClients().sqs;
    // The doctor's records and changes commit, but the changes are never published: only the replay can project it.
    const recorded = await db.transaction().execute(async (trx) => {
      const context = { trx, changes: unpublished(trx) };
      return [
        ...(await saveTrainees(context, [trainee(9001, PLANTED_GMC)])),
        ...(await saveGmcDoctors(context, [gmcDoctor(PLANTED_GMC, '1-1RSSQ6R') as GmcDoctorInput])),
      ];
    });
    const reason = 'planted: the index store refused the write';
    const originalId = `planted-${PLANTED_GMC}`;
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: `${prefix}-reval-index-dlq` }));
    const attributes: Record<string, MessageAttributeValue> = {
      'changeflow-error': { DataType: 'String', StringValue: reason },
      'changeflow-worker': { DataType: 'String', StringValue: 'reval-index' },
      'changeflow-attempts': { DataType: 'Number', StringValue: '5' },
      'changeflow-source-message-id': { DataType: 'String', StringValue: originalId },
    };
    await sqs.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: encodeChangeMessageBody({ changes: recorded.map(toChangeMessage) }),
        MessageAttributes: attributes,
      }),
    );
    await recordFailure(asConsumerDb(db), {
      worker: 'reval-index',
      messageId: originalId,
      changeNumbers: recorded.map((change) => change.changeNumber),
      objectType: 'trainee',
      objectIds: recorded.map((change) => change.objectId),
      error: reason,
      attempts: 5,
      deadLettered: true,
    });

    await page.goto(`${base}/console/dead-letters?worker=reval-index`);
    const row = page.getByRole('row').filter({ hasText: originalId });
    await row.filter({ hasText: reason }).waitFor();
    await shoot('dead-letters');
    await page.goto(`${base}/console/doctors/${PLANTED_GMC}`);
    await page.getByRole('alert').filter({ hasText: 'is in no index' }).waitFor();

    await page.goto(`${base}/console/dead-letters?worker=reval-index`);
    await row.getByRole('button', { name: 'Replay' }).click();
    await page.getByRole('status').filter({ hasText: 'Replayed 1 message(s)' }).waitFor();
    expect(await page.getByRole('row').filter({ hasText: originalId }).count()).toBe(0);
    await page.getByText('Nothing dead-lettered.').waitFor();

    await waitFor(
      async () => {
        const answer = await page.goto(`${base}/console/doctors/${PLANTED_GMC}`);
        return answer?.status() === 200;
      },
      { timeoutMs: 30_000, description: 'the replayed doctor in the index' },
    );
    expect(await page.getByTestId('doctor-indexes').textContent()).toContain('recommendation');
    await shoot('doctor');
  });

  it('purges only when confirmed by name, and refuses a post without its CSRF token', async () => {
    const sqs = testAwsClients().sqs;
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: `${prefix}-reval-index-dlq` }));
    const reason = 'planted: not a change message';
    await sqs.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: 'not a change',
        MessageAttributes: {
          'changeflow-error': { DataType: 'String', StringValue: reason },
          'changeflow-source-message-id': { DataType: 'String', StringValue: 'planted-purge' },
        },
      }),
    );
    await recordFailure(asConsumerDb(testDb().db), {
      worker: 'reval-index',
      messageId: 'planted-purge',
      changeNumbers: [],
      objectType: null,
      objectIds: [],
      error: reason,
      attempts: 1,
      deadLettered: true,
    });
    const cookies = await context?.cookies(`${base}/console/dead-letters`);
    const session = cookies?.find((cookie) => cookie.name === 'changeflow_console');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/console' });

    const forged = await page.request.post(`${base}/console/dead-letters/purge`, {
      form: { worker: 'reval-index', confirm: 'reval-index' },
    });
    expect(forged.status()).toBe(403);
    await page.goto(`${base}/console/dead-letters?worker=reval-index`);
    await page.getByRole('row').filter({ hasText: 'planted-purge' }).waitFor();

    await page.getByLabel(/to confirm/).fill('reval-sync');
    await page.getByRole('button', { name: 'Purge the DLQ for good' }).click();
    await page.getByRole('alert').filter({ hasText: 'Not purged' }).waitFor();
    expect(await page.getByRole('row').filter({ hasText: 'planted-purge' }).count()).toBe(1);

    await page.getByLabel(/to confirm/).fill('reval-index');
    await page.getByRole('button', { name: 'Purge the DLQ for good' }).click();
    await page.getByRole('status').filter({ hasText: 'Purged' }).waitFor();
    await page.getByText('Nothing dead-lettered.').waitFor();
  });

  it('finds the unpublished changes in the change log and republishes them, emptying the backlog', async () => {
    await page.goto(`${base}/console/changes`);
    await page.getByLabel('Published').selectOption('no');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/published=no/);
    const unpublished = page.getByRole('row').filter({ hasText: 'not yet' });
    // 122 unpublished changes: a full page of 100 and a link to the rest.
    expect(await unpublished.count()).toBe(100);
    await page.getByRole('link', { name: 'Next 100' }).waitFor();
    await shoot('change-log');
    await page.getByLabel('From change #').last().fill('1');
    await page.getByRole('button', { name: 'Republish' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /Republished \d+ of \d+ change/ })
      .waitFor();
    await page.goto(`${base}/console/changes?published=no`);
    await page.getByText('No change matches.').waitFor();
    await page.goto(`${base}/console/pipeline`);
    expect(await page.getByTestId('backlog').textContent()).toBe('0');
  });

  it('runs a sync started from the page to the end while the doctor list keeps answering', async () => {
    await page.goto(`${base}/console/doctors`);
    await shoot('doctors');
    const cookie = (await context?.cookies(`${base}/console/doctors`))?.map((c) => `${c.name}=${c.value}`).join('; ');
    await page.goto(`${base}/console/sync`);
    await page.getByRole('button', { name: 'Start a full sync' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /Sync \d+ started/ })
      .waitFor();
    const syncState = () => page.getAttribute('#sync-job', 'data-state');
    const answers: number[] = [];
    // G7 through the console: the list answers with doctors at every look while the sync runs.
    while ((await syncState()) !== 'succeeded') {
      const answer = await fetch(`${base}/console/doctors`, { headers: { cookie: cookie ?? '' }, redirect: 'manual' });
      const text = await answer.text();
      expect(answer.status).toBe(200);
      const total = /data-testid="doctor-total">(\d+) result/.exec(text)?.[1];
      expect(total, 'the doctor list shows its total').toBeDefined();
      answers.push(Number(total));
      expect(Number(total)).toBeGreaterThan(0);
      expect(await syncState()).not.toBe('failed');
    }
    expect(answers.length).toBeGreaterThan(0);
    await shoot('sync');
  });

  it('pages a doctor list forward and back by its cursor links', async () => {
    await page.goto(`${base}/console/doctors?list=connected`);
    const shown = async () => (await page.getByTestId('doctor-total').textContent()) ?? '';
    expect(Number(/^(\d+) result/.exec(await shown())?.[1])).toBeGreaterThan(20);
    const firstPage = await page.locator('tbody tr').allTextContents();
    await page.getByRole('link', { name: 'Next page' }).click();
    await page.getByTestId('doctor-total').filter({ hasText: 'page 2 of' }).waitFor();
    expect(new URL(page.url()).searchParams.get('cursor')).toBeTruthy();
    expect(await page.locator('tbody tr').allTextContents()).not.toEqual(firstPage);
    await page.getByRole('link', { name: 'Previous page' }).click();
    await page.getByTestId('doctor-total').filter({ hasText: 'page 1 of' }).waitFor();
    expect(await page.locator('tbody tr').allTextContents()).toEqual(firstPage);
    expect(await page.getByRole('link', { name: 'Previous page' }).count()).toBe(0);
  });

  it('lets the read token look but not act', async () => {
    await page.goto(`${base}/console/pipeline`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(READ_TOKEN);
    await page.goto(`${base}/console/dead-letters?worker=reval-index`);
    await page.getByText('replay and purge need the write token').waitFor();
    expect(await page.getByRole('button', { name: 'Replay all' }).count()).toBe(0);
    const token = await page.locator('input[name="_csrf"]').first().inputValue();
    const answer = await page.request.post(`${base}/console/sync`, { form: { _csrf: token } });
    expect(answer.status()).toBe(403);
  });
});
