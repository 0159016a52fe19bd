import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createSemaphore } from '@changeflow/semaphore';
import { SOURCE_NODE_ARGS, useTestDatabase } from '@changeflow/test-support';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listChanges, migrateOutbox, type OutboxDatabase, recordChanges } from '../src/index.js';
import { outboxWithQueue } from './outbox-harness.js';

const testDb = useTestDatabase<OutboxDatabase>('sweeper', (db) => migrateOutbox(db));
let harness: Awaited<ReturnType<typeof outboxWithQueue>>;

beforeAll(async () => {
  harness = await outboxWithQueue(testDb().db);
});
afterAll(() => harness.close());

describe('the sweeper', () => {
  it('G3a: publishes within the bound the changes of a writer SIGKILLed between commit and publish', async () => {
    const { outbox, received } = harness;
    const fixture = fileURLToPath(new URL('./fixtures/commit-then-hang.ts', import.meta.url));
    const child = spawn(
      process.execPath,
      [...SOURCE_NODE_ARGS, fixture, testDb().url, 'trainee', 'killed-writer', '3'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const [line] = (await once(child.stdout, 'data')) as [Buffer];
    const { committed } = JSON.parse(line.toString()) as { committed: string[] };
    child.kill('SIGKILL');
    await once(child, 'exit');
    const killedAt = Date.now();
    expect(committed).toHaveLength(3);
    expect((await listChanges(testDb().db, { objectId: 'killed-writer' })).every((c) => c.publishedAt === null)).toBe(
      true,
    );

    // The default grace period (5 s) and a tick every second: G3's bound is 10 s.
    const sweeper = outbox.createSweeper(createSemaphore(testDb().db));
    sweeper.start();
    try {
      await received.waitForAll(committed, 10_000);
    } finally {
      await sweeper.stop();
    }
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    expect((await listChanges(testDb().db, { objectId: 'killed-writer' })).every((c) => c.publishedAt !== null)).toBe(
      true,
    );
  });

  it('G3c: finds a change that commits late with a lower change number than published ones', async () => {
    const { outbox, received } = harness;
    const lateConnection = testDb().createPool(1);
    const client = await lateConnection.connect();
    try {
      await client.query('begin');
      const { rows } = await client.query<{ change_number: string }>(
        `insert into changes (object_type, object_id, object_version, change_type)
         values ('trainee', 'late-commit', 1, 'UPDATE') returning change_number`,
      );
      const late = rows[0]?.change_number ?? '';
      // Later transactions commit and are published while the early one stays open.
      const later = await outbox.transaction((_trx, changes) =>
        changes.record({ objectType: 'trainee', objectId: 'early-commit', objectVersion: 1, changeType: 'UPDATE' }),
      );
      await received.waitForAll(later.map((c) => c.changeNumber));
      expect(BigInt(late)).toBeLessThan(BigInt(later[0]?.changeNumber ?? 0));
      await client.query('commit');

      const sweeper = outbox.createSweeper(createSemaphore(testDb().db), { graceMs: 0 });
      expect(await sweeper.runOnce()).toBe('ran');
      await received.waitForAll([late]);
    } finally {
      client.release();
      await lateConnection.end();
    }
  });

  it('runs in one process at a time: a second sweeper is not elected while the first holds the slot', async () => {
    const { outbox } = harness;
    const semaphore = createSemaphore(testDb().db);
    const lease = await semaphore.acquire('changeflow:outbox-sweeper', 1, 60_000, 'other-instance');
    expect(lease).toBeDefined();
    const sweeper = outbox.createSweeper(semaphore, { graceMs: 0 });
    try {
      expect(await sweeper.runOnce()).toBe('not-elected');
    } finally {
      if (lease) await semaphore.release(lease);
    }
    expect(await sweeper.runOnce()).toBe('ran');
  });

  it('publishes a backlog oldest first in bounded batches and measures it', async () => {
    const { outbox, received } = harness;
    const backlog = await recordChanges(
      testDb().db,
      Array.from({ length: 250 }, (_, i) => ({
        objectType: 'trainee',
        objectId: `backlog-${i}`,
        objectVersion: 1,
        changeType: 'CREATE' as const,
      })),
    );
    await sql`update changes set created_at = now() - interval '1 minute' where object_id like 'backlog-%'`.execute(
      testDb().db,
    );
    const sent = async () =>
      (await outbox.metrics.changesPublished.get()).values.find((v) => v.labels.path === 'sweep')?.value ?? 0;
    const sentBefore = await sent();
    const sweeper = outbox.createSweeper(createSemaphore(testDb().db), { batchSize: 100 });
    expect(await sweeper.runOnce()).toBe('ran');
    // Each batch once: the stamps of one are written while the next is read, and it must not find them.
    expect((await sent()) - sentBefore).toBe(250);
    expect(
      await listChanges(testDb().db, {
        objectType: 'trainee',
        published: false,
        fromChangeNumber: backlog[0]?.changeNumber,
      }),
    ).toEqual([]);
    expect((await outbox.metrics.backlog.get()).values[0]?.value).toBe(0);
    await received.waitForAll(backlog.map((c) => c.changeNumber));
  });
});
