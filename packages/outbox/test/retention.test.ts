import { SNSClient } from '@aws-sdk/client-sns';
import { createSemaphore } from '@changeflow/semaphore';
import { useTestDatabase } from '@changeflow/test-support';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import {
  createOutbox,
  listChanges,
  markPublished,
  migrateOutbox,
  type OutboxDatabase,
  recordChanges,
} from '../src/index.js';

const testDb = useTestDatabase<OutboxDatabase>('retention', (db) => migrateOutbox(db));

describe('retention', () => {
  it('deletes old published changes in bounded batches and never an unpublished one', async () => {
    const { db } = testDb();
    const old = await recordChanges(
      db,
      Array.from({ length: 23 }, (_, i) => ({
        objectType: 'trainee',
        objectId: `old-${i}`,
        objectVersion: 1,
        changeType: 'CREATE' as const,
      })),
    );
    const oldUnpublished = await recordChanges(db, {
      objectType: 'trainee',
      objectId: 'old-unpublished',
      objectVersion: 1,
      changeType: 'CREATE',
    });
    const recent = await recordChanges(db, {
      objectType: 'trainee',
      objectId: 'recent',
      objectVersion: 1,
      changeType: 'CREATE',
    });
    await markPublished(
      db,
      [...old, ...recent].map((c) => c.changeNumber),
    );
    // Move time in the data: these were recorded eight days ago.
    await sql`update changes set created_at = now() - interval '8 days' where object_id like 'old-%'`.execute(db);

    // No SNS is needed to prune; the client is never called.
    const outbox = createOutbox({ db, sns: new SNSClient({ region: 'us-east-1' }) }, { topicPrefix: 'unused' });
    const retention = outbox.createRetention(createSemaphore(db), { batchSize: 5, maxBatchesPerRun: 100 });
    expect(await retention.runOnce()).toBe('ran');

    const left = await listChanges(db, { fromChangeNumber: old[0]?.changeNumber });
    expect(left.map((c) => c.objectId).sort()).toEqual(['old-unpublished', 'recent']);
    expect(left.find((c) => c.objectId === 'old-unpublished')?.changeNumber).toBe(oldUnpublished[0]?.changeNumber);
    expect((await outbox.metrics.changesDeleted.get()).values[0]?.value).toBe(23);
  });
});
