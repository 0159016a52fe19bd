import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createWorkerRuntime, migrateConsumer, type WorkerRuntime } from '@changeflow/consumer';
import { createOutbox, type Outbox } from '@changeflow/outbox';
import { createSemaphore } from '@changeflow/semaphore';
import { SOURCE_NODE_ARGS, testAwsClients, uniquePrefix, useTestDatabase, waitFor } from '@changeflow/test-support';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createRevalIndexWorker,
  createRevalSyncWorker,
  DEFAULT_DESIGNATED_BODIES,
  getSyncJob,
  indexDifferences,
  migrateRevalIndex,
  migrateRevalPrimary,
  projectAllGmcNumbers,
  type RevalDatabase,
  type SyncJob,
  saveGmcDoctors,
  startSync,
  untypedDb,
} from '../src/index.js';
import { copyIndexes, gmcOf, seedDoctors } from './sync-harness.js';

const testDb = useTestDatabase<RevalDatabase>('sync', async (db) => {
  await migrateRevalPrimary(db);
  await migrateConsumer(db);
});
const aws = testAwsClients();
const NOW = new Date('2026-06-15T12:00:00Z');
const TODAY = '2026-06-15';
// A few thousand doctors in batches of 100 give the build-master step 30 batches: enough for readers
// to run throughout, writes to land during the build and a SIGKILL to hit it mid-step. The scale
// itself (100,000 doctors) is measured by `npm run bench -- sync`.
const DOCTORS = 3000;
const BUILD_BATCH_SIZE = 100;

let live: string;
let prefix: string;
let outbox: Outbox<RevalDatabase>;

function workers(db: Kysely<RevalDatabase>) {
  const stores = {
    primaryDb: db,
    indexDb: untypedDb(db),
    indexSchema: live,
    designatedBodies: DEFAULT_DESIGNATED_BODIES,
  };
  return [
    createRevalSyncWorker(
      { ...stores, outbox, now: () => NOW },
      {
        visibilityTimeoutSeconds: 3,
        waitTimeSeconds: 1,
        buildBatchSize: BUILD_BATCH_SIZE,
      },
    ),
    createRevalIndexWorker(stores, { now: () => NOW, waitTimeSeconds: 1 }),
  ];
}

function startRuntime(db: Kysely<RevalDatabase>): Promise<WorkerRuntime> {
  const runtime = createWorkerRuntime({ sqs: aws.sqs, sns: aws.sns, db, semaphore: createSemaphore(db) }, workers(db), {
    prefix,
    provision: true,
  });
  return runtime.start().then(() => runtime);
}

async function waitForJob(id: string, state: SyncJob['state'], timeoutMs = 120_000): Promise<SyncJob> {
  return waitFor(
    async () => {
      const job = await getSyncJob(testDb().db, id);
      if (job?.state === 'failed' && state !== 'failed') throw new Error(`sync ${id} failed: ${job.error}`);
      return job?.state === state ? job : undefined;
    },
    { timeoutMs, intervalMs: 100, description: `sync ${id} ${state}` },
  );
}

let freshProjections = 0;
async function expectIndexesEqualFreshProjection(): Promise<void> {
  const { db, schema } = testDb();
  freshProjections += 1;
  const fresh = `${schema}_fresh${freshProjections}`;
  await migrateRevalIndex(db, fresh);
  await projectAllGmcNumbers(db, fresh, TODAY);
  expect(await indexDifferences(db, live, fresh)).toEqual({});
  // The sync builds its generation's indexes itself: the same set as the migrations give.
  expect(await indexDefinitions(db, live)).toEqual(await indexDefinitions(db, fresh));
  const { rows } = await sql<{ n: string }>`select count(*) as n from ${sql.id(live, 'master')}`.execute(db);
  expect(Number(rows[0]?.n)).toBeGreaterThanOrEqual(DOCTORS);
}

/** Every index of the index tables in `schema`, as `create index` text without the schema's name. */
async function indexDefinitions(db: Kysely<RevalDatabase>, schema: string): Promise<string[]> {
  const { rows } = await sql<{ definition: string }>`
    select replace(indexdef, ${`${schema}.`}, '') as definition from pg_indexes
    where schemaname = ${schema} and tablename <> 'sync_membership'`.execute(db);
  return rows.map((row) => row.definition).sort();
}

beforeAll(async () => {
  const { db, schema } = testDb();
  live = `${schema}_idx`;
  prefix = uniquePrefix('sync');
  await migrateRevalIndex(db, live);
  outbox = createOutbox({ db, sns: aws.sns }, { topicPrefix: prefix });
  await seedDoctors(outbox, 0, DOCTORS);
  await outbox.flush();
}, 180_000);
afterAll(() => aws.destroy());

describe('the full sync (G7)', { timeout: 180_000 }, () => {
  it('rebuilds every index from the primary data; a second request while it runs answers with the running job', async () => {
    const { db } = testDb();
    const runtime = await startRuntime(db);
    try {
      const first = await startSync(outbox, db, 'tester');
      if (!('started' in first)) throw new Error('expected a new sync');
      const second = await startSync(outbox, db, 'tester');
      expect(second).toEqual({ running: expect.objectContaining({ id: first.started.id }) });
      const done = await waitForJob(first.started.id, 'succeeded');
      expect(done.counts).toMatchObject({ gmcNumbers: DOCTORS, documents: DOCTORS, recommendation: DOCTORS });
      expect(Object.keys(done.stepTimingsMs).sort()).toEqual(['build-indexes', 'build-master', 'catch-up', 'swap']);
      await outbox.flush();
      await expectIndexesEqualFreshProjection();
    } finally {
      await runtime.stop();
    }
  });

  it('never shows readers fewer documents or an error, and keeps the writes made during the sync', async () => {
    const { db } = testDb();
    const runtime = await startRuntime(db);
    const before = Number(
      (await sql<{ n: string }>`select count(*) as n from ${sql.id(live, 'master')}`.execute(db)).rows[0]?.n,
    );
    let reading = true;
    let minSeen = Number.POSITIVE_INFINITY;
    let reads = 0;
    const errors: unknown[] = [];
    const readers = Array.from({ length: 3 }, async (_, reader) => {
      const table = ['master', 'recommendation', 'connected'][reader] ?? 'master';
      const floor = reader === 0 ? before : 0;
      while (reading) {
        try {
          const { rows } = await sql<{ n: string }>`select count(*) as n from ${sql.id(live, table)}`.execute(db);
          const n = Number(rows[0]?.n);
          if (reader === 0) minSeen = Math.min(minSeen, n);
          else if (n === floor) errors.push(new Error(`${table} was empty`));
          reads += 1;
        } catch (err) {
          errors.push(err);
        }
      }
    });
    try {
      const started = await startSync(outbox, db, 'tester');
      if (!('started' in started)) throw new Error('expected a new sync');
      // Writes while the sync builds: new doctors, and a doctor disconnected.
      await waitFor(async () => ((await getSyncJob(db, started.started.id))?.counts.gmcNumbersDone ?? 0) > 0, {
        timeoutMs: 60_000,
      });
      await seedDoctors(outbox, DOCTORS, 50);
      await outbox.transaction((trx, changes) =>
        saveGmcDoctors({ trx, changes }, [
          {
            gmcReferenceNumber: gmcOf(1),
            doctorFirstName: 'Gone',
            doctorLastName: 'Away',
            submissionDate: null,
            dateAdded: null,
            underNotice: 'NO',
            sanction: null,
            designatedBodyCode: null,
            admin: null,
            existsInGmc: false,
            lastUpdatedDate: TODAY,
          },
        ]),
      );
      // The interleaving this test is about: the writes committed while the build was still going.
      expect((await getSyncJob(db, started.started.id))?.step).toBe('build-master');
      await waitForJob(started.started.id, 'succeeded');
      // The writes' own changes are projected too; wait until the new doctors are all there.
      await waitFor(
        async () => {
          const { rows } = await sql<{ n: string }>`select count(*) as n from ${sql.id(live, 'master')}`.execute(db);
          return Number(rows[0]?.n) === DOCTORS + 50;
        },
        { timeoutMs: 60_000, description: 'the writes made during the sync in the index' },
      );
    } finally {
      reading = false;
      await Promise.all(readers);
      await runtime.stop();
    }
    expect(errors).toEqual([]);
    expect(reads).toBeGreaterThan(10);
    expect(minSeen).toBeGreaterThanOrEqual(before);
    await outbox.flush();
    await expectIndexesEqualFreshProjection();
    const disconnected = await sql<{
      connection_status: string;
    }>`select connection_status from ${sql.id(live, 'master')} where gmc_reference_number = ${gmcOf(1)}`.execute(db);
    expect(disconnected.rows[0]?.connection_status).toBe('No');
  });

  it('leaves the live indexes as they were when the worker is killed mid-sync, and resumes it', async () => {
    const { db, url, schema } = testDb();
    await copyIndexes(db, live, `${schema}_before`);
    const fixture = fileURLToPath(new URL('./fixtures/sync-worker-process.ts', import.meta.url));
    const child = spawn(
      process.execPath,
      [...SOURCE_NODE_ARGS, fixture, url, live, prefix, inject('awsEndpoint'), String(BUILD_BATCH_SIZE)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await once(child.stdout, 'data');
    const started = await startSync(outbox, db, 'tester');
    if (!('started' in started)) throw new Error('expected a new sync');
    await waitFor(async () => ((await getSyncJob(db, started.started.id))?.counts.gmcNumbersDone ?? 0) >= DOCTORS / 6, {
      timeoutMs: 60_000,
      intervalMs: 10,
    });
    child.kill('SIGKILL');
    await once(child, 'exit');
    const job = await getSyncJob(db, started.started.id);
    expect(job?.state).toBe('running');
    expect(job?.step).toBe('build-master');
    // Unchanged: compared in SQL against the copy taken before the sync.
    expect(await indexDifferences(db, live, `${schema}_before`)).toEqual({});

    // The dead process's slot is held until its lease expires (30 s); move that time in the data, as
    // workers/test/delivery.test.ts does. Another workers process then picks the step up again once
    // its message is visible again (visibility timeout 3 s).
    await sql`update semaphore_slots set expires_at = now() where key = 'changeflow:worker:reval-sync'`.execute(db);
    const runtime = await startRuntime(db);
    try {
      const done = await waitForJob(started.started.id, 'succeeded');
      expect(done.attempts).toBeGreaterThanOrEqual(4);
    } finally {
      await runtime.stop();
    }
    await expectIndexesEqualFreshProjection();
  });

  it('takes a sync with no heartbeat for ten minutes for dead and starts another', async () => {
    const { db } = testDb();
    const stuck = await startSync(outbox, db, 'tester');
    if (!('started' in stuck)) throw new Error('expected a new sync');
    await sql`update reval_sync_job set state = 'running', heartbeat_at = now() - interval '11 minutes' where id = ${stuck.started.id}`.execute(
      db,
    );
    const next = await startSync(outbox, db, 'tester');
    expect('started' in next).toBe(true);
    expect((await getSyncJob(db, stuck.started.id))?.state).toBe('failed');
    await sql`update reval_sync_job set state = 'failed' where state in ('pending', 'running')`.execute(db);
  });
});
