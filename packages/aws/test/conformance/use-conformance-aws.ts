import {
  CreateTopicCommand,
  DeleteTopicCommand,
  NotFoundException,
  type SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  QueueDoesNotExist,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { testAwsClients, uniquePrefix } from '@changeflow/test-support';
import { afterAll, beforeAll } from 'vitest';
import { requireField } from './conformance-helpers.js';

/** A queue a conformance file created. */
export interface TestQueue {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
}

/** How {@link ConformanceAws.subscribeQueue} subscribes a queue to a topic. */
interface SubscribeQueueOptions {
  /**
   * Raw delivery: the SQS body is the published message and its attributes become SQS message
   * attributes. Otherwise the body is SNS's JSON envelope.
   * @defaultValue true
   */
  isRawDelivery?: boolean;
  /** A filter policy on message attributes, set when subscribing. */
  filterPolicy?: Record<string, unknown>;
}

/** SNS/SQS for one conformance file: its clients, its name prefix, and what it created. */
export interface ConformanceAws {
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
  /** This file's prefix; every queue and topic it creates is named `<prefix>-<label>`. */
  readonly prefix: string;
  /** Creates (idempotently) the queue `<prefix>-<label>` and reads its ARN; deleted after the file. */
  createQueue(label: string, attributes?: Record<string, string>): Promise<TestQueue>;
  /** Creates (idempotently) the topic `<prefix>-<label>` and returns its ARN; deleted after the file. */
  createTopic(label: string): Promise<string>;
  /**
   * Lets `topicArn` send to `queue` (the queue policy a deployment on AWS needs, naming every topic
   * subscribed so far) and subscribes the queue. Returns the subscription ARN.
   */
  subscribeQueue(topicArn: string, queue: TestQueue, options?: SubscribeQueueOptions): Promise<string>;
}

/**
 * Gives the calling conformance file its SDK clients and a name prefix of its own, so files run in
 * parallel against one endpoint, and deletes every queue and topic it created once the file is done.
 *
 * @example
 * const aws = useConformanceAws('batches');
 * it('…', async () => { const queue = await aws().createQueue('main'); … });
 */
export function useConformanceAws(label: string): () => ConformanceAws {
  let current: ConformanceAws | undefined;
  let destroyClients: (() => void) | undefined;
  const queueUrls = new Set<string>();
  const topicArns = new Set<string>();
  const topicsAllowedByQueue = new Map<string, Set<string>>();

  beforeAll(() => {
    const clients = testAwsClients();
    destroyClients = clients.destroy;
    const { sns, sqs } = clients;
    const prefix = uniquePrefix(label);
    current = {
      sns,
      sqs,
      prefix,
      async createQueue(queueLabel, attributes) {
        const name = `${prefix}-${queueLabel}`;
        const created = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
        const url = requireField(created.QueueUrl, 'QueueUrl');
        queueUrls.add(url);
        const read = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
        return { name, url, arn: requireField(read.Attributes?.QueueArn, 'QueueArn') };
      },
      async createTopic(topicLabel) {
        const created = await sns.send(new CreateTopicCommand({ Name: `${prefix}-${topicLabel}` }));
        const arn = requireField(created.TopicArn, 'TopicArn');
        topicArns.add(arn);
        return arn;
      },
      async subscribeQueue(topicArn, queue, options = {}) {
        const allowed = topicsAllowedByQueue.get(queue.arn) ?? new Set<string>();
        allowed.add(topicArn);
        topicsAllowedByQueue.set(queue.arn, allowed);
        await sqs.send(
          new SetQueueAttributesCommand({
            QueueUrl: queue.url,
            Attributes: { Policy: JSON.stringify(queuePolicyAllowingTopics(queue.arn, [...allowed])) },
          }),
        );
        const attributes: Record<string, string> = { RawMessageDelivery: String(options.isRawDelivery ?? true) };
        if (options.filterPolicy) attributes.FilterPolicy = JSON.stringify(options.filterPolicy);
        const subscribed = await sns.send(
          new SubscribeCommand({
            TopicArn: topicArn,
            Protocol: 'sqs',
            Endpoint: queue.arn,
            Attributes: attributes,
            ReturnSubscriptionArn: true,
          }),
        );
        return requireField(subscribed.SubscriptionArn, 'SubscriptionArn');
      },
    };
  });

  afterAll(async () => {
    if (!current) return;
    const { sns, sqs } = current;
    // A case may already have deleted what it created (that is what it tested): not-found is fine here.
    for (const arn of topicArns) {
      await sns.send(new DeleteTopicCommand({ TopicArn: arn })).catch((err: unknown) => {
        if (!(err instanceof NotFoundException)) throw err;
      });
    }
    for (const url of queueUrls) {
      await sqs.send(new DeleteQueueCommand({ QueueUrl: url })).catch((err: unknown) => {
        if (!(err instanceof QueueDoesNotExist)) throw err;
      });
    }
    destroyClients?.();
  });

  return () => {
    if (!current) throw new Error('useConformanceAws: the clients exist only inside tests and hooks');
    return current;
  };
}

/**
 * The queue policy that lets SNS deliver from `topicArns` to the queue. On AWS a subscription without
 * it delivers nothing, silently; the local emulator does not check it, which is why every case sets it.
 */
function queuePolicyAllowingTopics(queueArn: string, topicArns: readonly string[]) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AllowChangeflowTopics',
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: queueArn,
        Condition: { ArnEquals: { 'aws:SourceArn': [...topicArns] } },
      },
    ],
  };
}
