import {
  DeleteTopicCommand,
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  InvalidParameterException,
  ListSubscriptionsByTopicCommand,
  NotFoundException,
  PublishCommand,
  paginateListTopics,
  SetSubscriptionAttributesCommand,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  QueueDoesNotExist,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import { waitFor } from '@changeflow/test-support';
import { describe, expect, it } from 'vitest';
import { EVENTUAL_TIMEOUT_MS, md5OfMessageAttributes, receiveOneMessage } from './conformance-helpers.js';
import { useConformanceAws } from './use-conformance-aws.js';

// Pins the SNS/SQS behaviour the topology provisioning relies on: idempotent creation, lookups,
// attributes, deletion, and the two shapes a subscribed queue receives (raw and the JSON envelope).
const aws = useConformanceAws('topology');

/** AWS documents that a deleted queue can take up to 60 s to disappear. */
const QUEUE_DELETION_TIMEOUT_MS = 65_000;

describe('queues', () => {
  it('creates a queue idempotently: the same name and attributes give the same URL', async () => {
    const { sqs, prefix } = aws();
    const first = await aws().createQueue('idempotent', { VisibilityTimeout: '45' });
    const again = await sqs.send(
      new CreateQueueCommand({ QueueName: `${prefix}-idempotent`, Attributes: { VisibilityTimeout: '45' } }),
    );
    const withoutAttributes = await sqs.send(new CreateQueueCommand({ QueueName: `${prefix}-idempotent` }));
    expect(again.QueueUrl).toBe(first.url);
    expect(withoutAttributes.QueueUrl).toBe(first.url);
  });

  it('finds a queue URL by name', async () => {
    const queue = await aws().createQueue('by-name');
    const found = await aws().sqs.send(new GetQueueUrlCommand({ QueueName: queue.name }));
    expect(found.QueueUrl).toBe(queue.url);
  });

  it('lists queues by name prefix', async () => {
    const { sqs, prefix } = aws();
    const a = await aws().createQueue('listed-a');
    const b = await aws().createQueue('listed-b');
    await aws().createQueue('unlisted');
    const listed = await waitFor(
      async () => {
        const answer = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: `${prefix}-listed-` }));
        const urls = answer.QueueUrls ?? [];
        return urls.length === 2 && urls;
      },
      { timeoutMs: EVENTUAL_TIMEOUT_MS, description: 'both listed queues' },
    );
    expect([...listed].sort()).toEqual([a.url, b.url].sort());
  });

  it('reads and sets queue attributes', async () => {
    const { sqs } = aws();
    const queue = await aws().createQueue('attributes', { VisibilityTimeout: '45', MessageRetentionPeriod: '86400' });
    const read = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['All'] }));
    expect(read.Attributes).toMatchObject({ VisibilityTimeout: '45', MessageRetentionPeriod: '86400' });
    expect(queue.arn).toMatch(new RegExp(`^arn:aws:sqs:[a-z0-9-]+:\\d{12}:${queue.name}$`));

    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: queue.url, Attributes: { VisibilityTimeout: '7' } }));
    // AWS documents up to 60 s for most attribute changes to propagate; read until the new value shows.
    await waitFor(
      async () => {
        const after = await sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['VisibilityTimeout'] }),
        );
        return after.Attributes?.VisibilityTimeout === '7';
      },
      { timeoutMs: EVENTUAL_TIMEOUT_MS, description: 'VisibilityTimeout 7' },
    );
  });

  it(
    'deletes a queue, after which its name no longer resolves',
    async () => {
      const { sqs } = aws();
      const queue = await aws().createQueue('deleted');
      await sqs.send(new DeleteQueueCommand({ QueueUrl: queue.url }));
      const error = await waitFor(
        () =>
          sqs.send(new GetQueueUrlCommand({ QueueName: queue.name })).then(
            () => false,
            (err: unknown) => err,
          ),
        { timeoutMs: QUEUE_DELETION_TIMEOUT_MS, description: 'GetQueueUrl to fail after DeleteQueue' },
      );
      expect(error).toBeInstanceOf(QueueDoesNotExist);
    },
    QUEUE_DELETION_TIMEOUT_MS + 10_000,
  );
});

describe('topics', () => {
  it('creates a topic idempotently: the same name gives the same ARN', async () => {
    const { prefix } = aws();
    const first = await aws().createTopic('idempotent');
    const again = await aws().createTopic('idempotent');
    expect(again).toBe(first);
    expect(first).toMatch(new RegExp(`^arn:aws:sns:[a-z0-9-]+:\\d{12}:${prefix}-idempotent$`));
  });

  it('reads topic attributes and lists the topic', async () => {
    const { sns } = aws();
    const topicArn = await aws().createTopic('listed');
    const read = await sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }));
    expect(read.Attributes?.TopicArn).toBe(topicArn);
    await waitFor(
      async () => {
        for await (const page of paginateListTopics({ client: sns }, {})) {
          if (page.Topics?.some((topic) => topic.TopicArn === topicArn)) return true;
        }
        return false;
      },
      { timeoutMs: EVENTUAL_TIMEOUT_MS, description: 'the topic in ListTopics' },
    );
  });

  it('deletes a topic; deleting it again succeeds', async () => {
    const { sns } = aws();
    const topicArn = await aws().createTopic('deleted');
    await sns.send(new DeleteTopicCommand({ TopicArn: topicArn }));
    const error = await waitFor(
      () =>
        sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn })).then(
          () => false,
          (err: unknown) => err,
        ),
      { timeoutMs: EVENTUAL_TIMEOUT_MS, description: 'GetTopicAttributes to fail after DeleteTopic' },
    );
    expect(error).toBeInstanceOf(NotFoundException);
    // DeleteTopic is documented as idempotent: a provisioning step that re-runs a teardown must not fail.
    await expect(sns.send(new DeleteTopicCommand({ TopicArn: topicArn }))).resolves.toBeDefined();
  });
});

describe('subscriptions', () => {
  const attributes = {
    objectType: { DataType: 'String', StringValue: 'trainee' },
    objectVersion: { DataType: 'Number', StringValue: '3' },
  };

  it('delivers raw: the body is the message and its attributes arrive as SQS message attributes', async () => {
    const { sns, sqs } = aws();
    const topicArn = await aws().createTopic('raw');
    const queue = await aws().createQueue('raw');
    await aws().subscribeQueue(topicArn, queue, { isRawDelivery: true });

    const body = JSON.stringify({ changes: [{ changeNumber: '1' }] });
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: body, MessageAttributes: attributes }));
    const message = await receiveOneMessage(sqs, queue.url);

    expect(message.Body).toBe(body);
    expect(message.MessageAttributes).toEqual(attributes);
    expect(message.MD5OfMessageAttributes).toBe(md5OfMessageAttributes(attributes));
  });

  it('delivers the JSON envelope: the message and its attributes are fields of the body', async () => {
    const { sns, sqs } = aws();
    const topicArn = await aws().createTopic('envelope');
    const queue = await aws().createQueue('envelope');
    await aws().subscribeQueue(topicArn, queue, { isRawDelivery: false });

    const body = JSON.stringify({ changes: [{ changeNumber: '2' }] });
    const published = await sns.send(
      new PublishCommand({ TopicArn: topicArn, Message: body, MessageAttributes: attributes }),
    );
    const message = await receiveOneMessage(sqs, queue.url);

    expect(JSON.parse(message.Body ?? '')).toMatchObject({
      Type: 'Notification',
      MessageId: published.MessageId,
      TopicArn: topicArn,
      Message: body,
      MessageAttributes: {
        objectType: { Type: 'String', Value: 'trainee' },
        objectVersion: { Type: 'Number', Value: '3' },
      },
    });
    // The attributes travel only inside the envelope: the SQS message itself carries none.
    expect(message.MessageAttributes).toBeUndefined();
  });

  it('keeps the queue policy that lets the topic send', async () => {
    const { sqs } = aws();
    const topicArn = await aws().createTopic('policy');
    const queue = await aws().createQueue('policy');
    await aws().subscribeQueue(topicArn, queue);
    const read = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['Policy'] }));
    const policy = JSON.parse(read.Attributes?.Policy ?? '{}');
    expect(JSON.stringify(policy)).toContain(topicArn);
    expect(policy.Statement?.[0]).toMatchObject({ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: queue.arn });
  });

  it('subscribes idempotently: the same queue and attributes give the same subscription', async () => {
    const { sns } = aws();
    const topicArn = await aws().createTopic('resubscribe');
    const queue = await aws().createQueue('resubscribe');
    const first = await aws().subscribeQueue(topicArn, queue, { isRawDelivery: true });
    const again = await aws().subscribeQueue(topicArn, queue, { isRawDelivery: true });
    expect(again).toBe(first);

    const listed = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
    expect(listed.Subscriptions).toEqual([
      expect.objectContaining({ SubscriptionArn: first, Protocol: 'sqs', Endpoint: queue.arn }),
    ]);
  });

  it('rejects re-subscribing with different attributes; they change through SetSubscriptionAttributes', async () => {
    const { sns } = aws();
    const topicArn = await aws().createTopic('changed');
    const queue = await aws().createQueue('changed');
    const subscriptionArn = await aws().subscribeQueue(topicArn, queue, { isRawDelivery: true });

    await expect(
      sns.send(
        new SubscribeCommand({
          TopicArn: topicArn,
          Protocol: 'sqs',
          Endpoint: queue.arn,
          Attributes: { RawMessageDelivery: 'false' },
          ReturnSubscriptionArn: true,
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterException);

    const filterPolicy = JSON.stringify({ objectType: ['doctor'] });
    await sns.send(
      new SetSubscriptionAttributesCommand({
        SubscriptionArn: subscriptionArn,
        AttributeName: 'FilterPolicy',
        AttributeValue: filterPolicy,
      }),
    );
    const read = await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: subscriptionArn }));
    expect(read.Attributes).toMatchObject({ RawMessageDelivery: 'true', Endpoint: queue.arn, TopicArn: topicArn });
    expect(JSON.parse(read.Attributes?.FilterPolicy ?? '{}')).toEqual({ objectType: ['doctor'] });
  });
});
