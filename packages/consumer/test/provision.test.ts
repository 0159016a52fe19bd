import { ListSubscriptionsByTopicCommand } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { createOutbox, migrateOutbox, type OutboxDatabase } from '@changeflow/outbox';
import { createSemaphore } from '@changeflow/semaphore';
import { testAwsClients, uniquePrefix, useTestDatabase } from '@changeflow/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { type ConsumerDatabase, createWorkerRuntime, defineWorker, migrateConsumer, provision } from '../src/index.js';
import { startRuntime } from './runtime-harness.js';

const testDb = useTestDatabase<OutboxDatabase & ConsumerDatabase>('provision', async (db) => {
  await migrateOutbox(db);
  await migrateConsumer(db);
});
const aws = testAwsClients();
afterAll(() => aws.destroy());

describe('provision', () => {
  it('creates topics, queues with their DLQ and raw subscriptions, and running it again changes nothing', async () => {
    const prefix = uniquePrefix('topology');
    const worker = defineWorker({
      name: 'index',
      subscribesTo: ['trainee', 'gmc-doctor'],
      handle: async () => {},
      maxReceiveCount: 4,
      visibilityTimeoutSeconds: 45,
    });
    const first = await provision(aws, [worker], prefix);
    const second = await provision(aws, [worker], prefix);
    expect(second).toEqual(first);
    const [queue] = first;
    const attributes = await aws.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queue?.queueUrl, AttributeNames: ['All'] }),
    );
    expect(attributes.Attributes?.VisibilityTimeout).toBe('45');
    expect(JSON.parse(attributes.Attributes?.RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: queue?.deadLetterQueueArn,
      maxReceiveCount: 4,
    });
    const outbox = createOutbox({ db: testDb().db, sns: aws.sns }, { topicPrefix: prefix });
    for (const objectType of ['trainee', 'gmc-doctor']) {
      const subscriptions = await aws.sns.send(
        new ListSubscriptionsByTopicCommand({ TopicArn: await outbox.publisher.topicArn(objectType) }),
      );
      expect(subscriptions.Subscriptions?.filter((s) => s.Endpoint === queue?.queueArn)).toHaveLength(1);
    }
    expect((await aws.sqs.send(new GetQueueUrlCommand({ QueueName: `${prefix}-index-dlq` }))).QueueUrl).toBe(
      queue?.deadLetterQueueUrl,
    );
  });

  it('delivers a committed change from the outbox to the worker’s handler', async () => {
    const seen: string[] = [];
    const worker = defineWorker({
      name: 'end-to-end',
      subscribesTo: ['trainee'],
      waitTimeSeconds: 1,
      handle: async (changes) => {
        seen.push(...changes.map((change) => change.objectId));
      },
    });
    const harness = await startRuntime(testDb().db, [worker]);
    try {
      const outbox = createOutbox({ db: testDb().db, sns: aws.sns }, { topicPrefix: harness.prefix });
      const [recorded] = await outbox.transaction((_trx, changes) =>
        changes.record({ objectType: 'trainee', objectId: 'through-sns', objectVersion: 1, changeType: 'CREATE' }),
      );
      const event = await harness.waitForEvent((e) => e.outcome === 'done');
      expect(event.changeNumbers).toEqual([recorded?.changeNumber]);
      expect(seen).toEqual(['through-sns']);
    } finally {
      await harness.close();
    }
  });

  it('refuses to start without provisioning when the queues are missing, saying what to do', async () => {
    const runtime = createWorkerRuntime(
      { sqs: aws.sqs, sns: aws.sns, db: testDb().db, semaphore: createSemaphore(testDb().db) },
      [defineWorker({ name: 'missing', subscribesTo: ['trainee'], handle: async () => {} })],
      { prefix: uniquePrefix('none') },
    );
    await expect(runtime.start()).rejects.toThrow(
      /queue cf-none-\w+-missing does not exist: provision the topology first/,
    );
    await runtime.stop();
  });
});
