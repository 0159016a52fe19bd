import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { asConsumerDb, type ConsumerDatabase, defineWorker, migrateConsumer, provision } from '@changeflow/consumer';
import { migrateOutbox, type OutboxDatabase, recordChanges } from '@changeflow/outbox';
import { migrateRevalPrimary, type RevalDatabase } from '@changeflow/reval';
import { createSemaphore } from '@changeflow/semaphore';
import { testAwsClients, uniquePrefix, useTestDatabase, waitFor } from '@changeflow/test-support';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import type { StatusReport } from '../src/index.js';
import { change, cliEnv, deadLetter, runInProcess, spawnCli, watchChild } from './cli-harness.js';

const testDb = useTestDatabase<RevalDatabase>('cli_status', async (db) => {
  await migrateRevalPrimary(db);
  await migrateConsumer(db);
});
/** A deployment's database without the reval tables: the outbox's and the consumer's only. */
const outboxOnlyDb = useTestDatabase<OutboxDatabase & ConsumerDatabase>('cli_status_outbox', async (db) => {
  await migrateOutbox(db);
  await migrateConsumer(db);
});
const aws = testAwsClients();
afterAll(() => aws.destroy());

const indexer = defineWorker({ name: 'indexer', subscribesTo: ['trainee'], handle: async () => {}, maxLocks: 2 });
const unprovisioned = defineWorker({ name: 'not-provisioned', subscribesTo: ['trainee'], handle: async () => {} });
const workers = () => [indexer, unprovisioned];

describe('changeflow status', () => {
  it('shows the backlog and its age, per worker queue, in-flight, DLQ and slot holders, and no sync yet', async () => {
    const prefix = uniquePrefix('cli-status');
    const [worker] = await provision(aws, [indexer], prefix);
    if (!worker) throw new Error('no worker');
    const env = cliEnv(testDb().url, prefix);
    await recordChanges(testDb().db, [
      { objectType: 'trainee', objectId: 'S-1', objectVersion: 1, changeType: 'CREATE' },
      { objectType: 'trainee', objectId: 'S-2', objectVersion: 1, changeType: 'CREATE' },
    ]);
    await testDb().db.updateTable('changes').set({ created_at: sql`now() - interval '90 seconds'` }).execute();
    for (const n of [1, 2, 3]) {
      await aws.sqs.send(new SendMessageCommand({ QueueUrl: worker.queueUrl, MessageBody: `{"n":${n}}` }));
    }
    await aws.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: worker.queueUrl, MaxNumberOfMessages: 1, VisibilityTimeout: 60 }),
    );
    await deadLetter(aws.sqs, asConsumerDb(testDb().db), worker, { changes: [change('9', 'S-9')], reason: 'boom' });
    const semaphore = createSemaphore(testDb().db);
    const lease = await semaphore.acquire('changeflow:worker:indexer', 2, 60_000, 'host-a:101');
    const sweeperLease = await semaphore.acquire('changeflow:outbox-sweeper', 1, 60_000, 'host-b:202');
    // Another instance's sweeper tick finds the slot held: it waits for a turn.
    expect(await semaphore.acquire('changeflow:outbox-sweeper', 1, 60_000, 'host-c:303')).toBeUndefined();
    try {
      const run = await runInProcess(['status', '--json'], env, { workers });
      expect(run.code, run.stderr).toBe(0);
      const report = run.json<StatusReport>();
      expect(report.outbox.unpublished).toBe(2);
      expect(report.outbox.oldestUnpublishedAgeMs).toBeGreaterThanOrEqual(90_000);
      expect(report.sweeper.holders.map((h) => h.holder)).toEqual(['host-b:202']);
      expect(report.sweeper.holders[0]?.wantedAt).not.toBeNull();
      expect(report.lastSync).toBeNull();
      const [line, missing] = report.workers;
      expect(line).toMatchObject({
        worker: 'indexer',
        queue: { missing: false, visible: 2, inFlight: 1 },
        deadLetterQueue: { missing: false, visible: 1 },
        deadLetteredRecorded: 1,
        maxLocks: 2,
      });
      expect(line?.holders.map((h) => [h.holder, h.wantedAt])).toEqual([['host-a:101', null]]);
      expect(missing).toMatchObject({ worker: 'not-provisioned', queue: { missing: true } });

      const text = await runInProcess(['status'], env, { workers });
      expect(text.stdout).toMatch(/Outbox\s+2 unpublished, oldest 1 min \d+ s old/);
      expect(text.stdout).toMatch(/indexer\s+2\s+1\s+0\s+1\s+1\s+1\/2\s+host-a:101/);
      expect(text.stdout).toContain('not-provisioned  missing');
      expect(text.stdout).toContain('changeflow topology --apply');
      expect(text.stdout).toMatch(/Sweeper {2}host-b:202 \(slot 0, until [^,]+, another process waits since [^)]+\)/);
      expect(text.stdout).toContain('Last sync  no sync yet');
    } finally {
      if (lease) await semaphore.release(lease);
      if (sweeperLease) await semaphore.release(sweeperLease);
    }
  });

  it('shows the last sync once the sync has run, and "no sync yet" on a database without the sync table', async () => {
    const env = cliEnv(testDb().url, uniquePrefix('cli-status'));
    await testDb()
      .db.insertInto('reval_sync_job')
      .values({
        state: 'failed',
        step: 'swap',
        error: 'boom',
        counts: '{}',
        step_timings: '{}',
        finished_at: new Date(),
      })
      .execute();
    await testDb()
      .db.insertInto('reval_sync_job')
      .values({ state: 'succeeded', step: 'catch-up', counts: '{}', step_timings: '{}', finished_at: new Date() })
      .execute();
    const run = await runInProcess(['status', '--json'], env, { workers });
    expect(run.json<StatusReport>().lastSync).toMatchObject({ state: 'succeeded', step: 'catch-up', error: null });
    const text = await runInProcess(['status'], env, { workers });
    expect(text.stdout).toMatch(/Last sync {2}#\d+ succeeded at \d{4}-/);

    const outboxOnly = await runInProcess(
      ['status', '--json'],
      cliEnv(outboxOnlyDb().url, uniquePrefix('cli-status')),
      {
        workers,
      },
    );
    expect(outboxOnly.code, outboxOnly.stderr).toBe(0);
    expect(outboxOnly.json<StatusReport>().lastSync).toBeNull();
  });

  it('--watch refreshes: one JSON document per refresh until a signal stops it with exit 0', async () => {
    const env = cliEnv(testDb().url, uniquePrefix('cli-watch'));
    const child = spawnCli(['status', '--watch', '0.5', '--json'], env);
    const output = watchChild(child);
    await waitFor(() => output.stdout().split('\n').filter(Boolean).length >= 2, {
      timeoutMs: 90_000,
      description: 'two refreshes',
    });
    child.kill('SIGTERM');
    expect(await output.exit).toBe(0);
    const documents = output
      .stdout()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as StatusReport);
    expect(documents.length).toBeGreaterThanOrEqual(2);
    expect(documents[0]?.workers.map((w) => w.worker)).toEqual(['reval-index', 'reval-sync']);
    expect(new Date(documents[1]?.at ?? 0).getTime()).toBeGreaterThan(new Date(documents[0]?.at ?? 0).getTime());
  }, 150_000);
});
