import {
  CreateTopicCommand,
  ListSubscriptionsByTopicCommand,
  type SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { toError } from '@changeflow/errors';
import { topicName } from '@changeflow/outbox';
import type { WorkerDeclaration } from './define-worker.js';
import { TopologyError } from './errors.js';

/** SQS keeps a message at most 14 days; dead letters should wait for a person that long. */
const DLQ_RETENTION_SECONDS = 1_209_600;

/** The SNS/SQS names one worker needs, derived from its definition and the deployment's prefix. */
export interface WorkerTopology {
  worker: string;
  queueName: string;
  deadLetterQueueName: string;
  /** The topics of the object types the worker subscribes to. */
  topicNames: string[];
  visibilityTimeoutSeconds: number;
  maxReceiveCount: number;
}

/** Where a provisioned worker's queues are. */
export interface ProvisionedWorker extends WorkerTopology {
  queueUrl: string;
  queueArn: string;
  deadLetterQueueUrl: string;
  deadLetterQueueArn: string;
}

/** The semaphore key whose `maxLocks` slots a worker's runs take. */
export function workerSemaphoreKey(worker: string): string {
  return `changeflow:worker:${worker}`;
}

/** The names of a worker's queue, DLQ and topics. The one home of the naming rule. */
export function workerTopology(worker: WorkerDeclaration, prefix: string): WorkerTopology {
  return {
    worker: worker.name,
    queueName: `${prefix}-${worker.name}`,
    deadLetterQueueName: `${prefix}-${worker.name}-dlq`,
    topicNames: worker.subscribesTo.map((objectType) => topicName(prefix, objectType)),
    visibilityTimeoutSeconds: worker.visibilityTimeoutSeconds,
    maxReceiveCount: worker.maxReceiveCount,
  };
}

/**
 * Creates, idempotently, everything the workers need: a topic per object type, per worker a DLQ and
 * a queue with its RedrivePolicy and visibility timeout, a queue policy letting the topics send, and
 * raw-delivery subscriptions. Running it again changes nothing; attributes that drifted are set back.
 */
export async function provision(
  clients: { sns: SNSClient; sqs: SQSClient },
  workers: readonly WorkerDeclaration[],
  prefix: string,
): Promise<ProvisionedWorker[]> {
  const topicArns = new Map<string, string>();
  const topicArn = async (name: string): Promise<string> => {
    const known = topicArns.get(name);
    if (known) return known;
    const answer = await step(`create topic ${name}`, () => clients.sns.send(new CreateTopicCommand({ Name: name })));
    if (!answer.TopicArn) throw new TopologyError(`CreateTopic ${name} answered without a TopicArn`);
    topicArns.set(name, answer.TopicArn);
    return answer.TopicArn;
  };
  const provisioned: ProvisionedWorker[] = [];
  for (const worker of workers) {
    const names = workerTopology(worker, prefix);
    const dlq = await ensureQueue(clients.sqs, names.deadLetterQueueName, {
      MessageRetentionPeriod: String(DLQ_RETENTION_SECONDS),
    });
    const queue = await ensureQueue(clients.sqs, names.queueName, {
      VisibilityTimeout: String(names.visibilityTimeoutSeconds),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: names.maxReceiveCount }),
    });
    const arns = await Promise.all(names.topicNames.map(topicArn));
    const policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'changeflow-topics-send',
          Effect: 'Allow',
          Principal: { Service: 'sns.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Resource: queue.arn,
          Condition: { ArnEquals: { 'aws:SourceArn': arns } },
        },
      ],
    };
    await step(`set the policy of queue ${names.queueName}`, () =>
      clients.sqs.send(
        new SetQueueAttributesCommand({ QueueUrl: queue.url, Attributes: { Policy: JSON.stringify(policy) } }),
      ),
    );
    for (const arn of arns) await ensureSubscription(clients.sns, arn, queue.arn);
    provisioned.push({
      ...names,
      queueUrl: queue.url,
      queueArn: queue.arn,
      deadLetterQueueUrl: dlq.url,
      deadLetterQueueArn: dlq.arn,
    });
  }
  return provisioned;
}

async function ensureQueue(
  sqs: SQSClient,
  name: string,
  attributes: Record<string, string>,
): Promise<{ url: string; arn: string }> {
  // CreateQueue with attributes fails when the queue exists with others; create bare, then set them.
  const created = await step(`create queue ${name}`, () => sqs.send(new CreateQueueCommand({ QueueName: name })));
  const url = created.QueueUrl;
  if (!url) throw new TopologyError(`CreateQueue ${name} answered without a QueueUrl`);
  await step(`set the attributes of queue ${name}`, () =>
    sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: attributes })),
  );
  const answer = await step(`read the ARN of queue ${name}`, () =>
    sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] })),
  );
  const arn = answer.Attributes?.QueueArn;
  if (!arn) throw new TopologyError(`queue ${name} has no QueueArn`);
  return { url, arn };
}

async function ensureSubscription(sns: SNSClient, topicArn: string, queueArn: string): Promise<void> {
  let nextToken: string | undefined;
  do {
    const page = await step(`list the subscriptions of ${topicArn}`, () =>
      sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken: nextToken })),
    );
    if (page.Subscriptions?.some((subscription) => subscription.Endpoint === queueArn)) return;
    nextToken = page.NextToken;
  } while (nextToken);
  await step(`subscribe ${queueArn} to ${topicArn}`, () =>
    sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: queueArn,
        Attributes: { RawMessageDelivery: 'true' },
        ReturnSubscriptionArn: true,
      }),
    ),
  );
}

async function step<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const cause = toError(err);
    throw new TopologyError(
      `cannot ${what}: ${cause.name}: ${cause.message}; check the endpoint and the credentials' permissions`,
      {
        cause,
      },
    );
  }
}
