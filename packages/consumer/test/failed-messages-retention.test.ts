import { SNSClient } from '@aws-sdk/client-sns';
import { createOutbox, migrateOutbox, type OutboxDatabase } from '@changeflow/outbox';
import { createSemaphore } from '@changeflow/semaphore';
import { useTestDatabase } from '@changeflow/test-support';
import { sql } from 'kysely';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { type ConsumerDatabase, consumerMetrics, failedMessagesRetentionStep, migrateConsumer } from '../src/index.js';

const testDb = useTestDatabase<OutboxDatabase & ConsumerDatabase>('failed_retention', async (db) => {
  await migrateOutbox(db);
  await migrateConsumer(db);
});

const row = (id: string) => ({
  worker: 'w',
  message_id: id,
  change_numbers: ['1'],
  object_type: 'trainee',
  object_ids: ['t'],
  error: 'boom',
  attempts: 1,
});

describe("failed_messages retention, a step of the outbox's retention job", () => {
  it('deletes old failed-message records in bounded batches, keeping recent ones', async () => {
    const { db } = testDb();
    await db
      .insertInto('failed_messages')
      .values([...Array.from({ length: 12 }, (_, i) => row(`old-${i}`)), row('recent')])
      .execute();
    await sql`update failed_messages set last_failed_at = now() - interval '31 days' where message_id like 'old-%'`.execute(
      db,
    );
    const metrics = consumerMetrics(new Registry());
    // No SNS is needed to prune; the client is never called.
    const outbox = createOutbox({ db, sns: new SNSClient({ region: 'us-east-1' }) }, { topicPrefix: 'unused' });
    const retention = outbox.createRetention(createSemaphore(db), { batchSize: 5 }, [
      failedMessagesRetentionStep({ db, metrics }),
    ]);
    expect(await retention.runOnce()).toBe('ran');
    const left = await db.selectFrom('failed_messages').select('message_id').execute();
    expect(left.map((r) => r.message_id)).toEqual(['recent']);
    expect((await metrics.failedMessagesDeleted.get()).values[0]?.value).toBe(12);
  });

  it('keeps every record when the retention is 0', async () => {
    const { db } = testDb();
    await db.insertInto('failed_messages').values(row('ancient')).execute();
    await sql`update failed_messages set last_failed_at = now() - interval '3650 days'`.execute(db);
    const step = failedMessagesRetentionStep({ db, metrics: consumerMetrics(new Registry()) }, { retentionMs: 0 });
    expect(await step.deleteBatch(100)).toBe(0);
    expect(await db.selectFrom('failed_messages').select('message_id').orderBy('message_id').execute()).toEqual([
      { message_id: 'ancient' },
      { message_id: 'recent' },
    ]);
  });
});
