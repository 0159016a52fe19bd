import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTopicCommand,
  ListSubscriptionsByTopicCommand,
  ListTopicsCommand,
  PublishCommand,
} from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { type AwsClients, createAwsClients, localAwsOptionsFromEnv, startLocalAws } from '@changeflow/aws';
import { createSubscribedQueue, uniquePrefix, waitFor } from '@changeflow/test-support';
import { startAwsLocalProcess } from '@changeflow/test-support/aws-local-process';
import { afterEach, describe, expect, it } from 'vitest';

// Item 5 of issue 14: with a data directory, stopping the local SNS/SQS loses nothing. Each test
// starts its own emulator on a directory of its own (not the run's shared one), leaves messages in
// every state a restart can meet — not yet received, received and still in flight, delayed — plus
// a queue subscribed to a topic, stops it (cleanly in process, SIGKILL as a separate process),
// starts it again on the same directory and port, and receives everything.

/** Long enough that the in-flight messages are still in flight when the emulator goes down. */
const IN_FLIGHT_VISIBILITY_SECONDS = 4;
/** Delayed messages become visible only after the restart (a restart takes well under this). */
const DELAY_SECONDS = 2;
/** Bounds a test that would hang; the messages come back within the two timeouts above. */
const RECEIVE_ALL_TIMEOUT_MS = 30_000;

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (let undo = cleanups.pop(); undo; undo = cleanups.pop()) await undo().catch(() => {});
});

async function freshDataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'changeflow-aws-state-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function clientsFor(endpoint: string): AwsClients {
  const aws = createAwsClients({ endpoint, region: 'us-east-1' });
  cleanups.push(async () => aws.destroy());
  return aws;
}

/** What was left in the emulator before it went down. */
interface LeftBehind {
  prefix: string;
  queueUrl: string;
  topicArn: string;
  subscribedUrl: string;
  /** Bodies on the work queue, by the state they were in at the stop. */
  bodies: { ready: string[]; inFlight: string[]; delayed: string[] };
}

async function leaveMessagesInEveryState(aws: AwsClients, label: string): Promise<LeftBehind> {
  const prefix = uniquePrefix(label);
  const { QueueUrl: queueUrl } = await aws.sqs.send(new CreateQueueCommand({ QueueName: `${prefix}-work` }));
  if (!queueUrl) throw new Error('CreateQueue returned no URL');
  const { TopicArn: topicArn } = await aws.sns.send(new CreateTopicCommand({ Name: `${prefix}-changes` }));
  if (!topicArn) throw new Error('CreateTopic returned no ARN');
  const subscribed = await createSubscribedQueue(aws, `${prefix}-subscribed`, [topicArn]);

  const bodies = {
    ready: ['ready-1', 'ready-2', 'ready-3'],
    inFlight: ['in-flight-1', 'in-flight-2', 'in-flight-3'],
    delayed: ['delayed-1', 'delayed-2'],
  };
  const send = (messages: string[], delaySeconds = 0) =>
    aws.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: messages.map((body) => ({ Id: body, MessageBody: body, DelaySeconds: delaySeconds })),
      }),
    );
  await send(bodies.inFlight);
  const inFlight = await receiveUntil(aws.sqs, queueUrl, bodies.inFlight.length, {
    visibilityTimeout: IN_FLIGHT_VISIBILITY_SECONDS,
    deleteThem: false,
  });
  expect(inFlight.map((message) => message.body).sort()).toEqual(bodies.inFlight);
  await send(bodies.ready);
  await send(bodies.delayed, DELAY_SECONDS);
  await aws.sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'published-before' }));
  return { prefix, queueUrl, topicArn, subscribedUrl: subscribed.url, bodies };
}

interface Received {
  body: string;
  receiveCount: number;
}

/** Receives (and, unless told not to, deletes) until `count` distinct bodies came, or fails after the timeout. */
async function receiveUntil(
  sqs: SQSClient,
  queueUrl: string,
  count: number,
  options: { visibilityTimeout?: number; deleteThem?: boolean } = {},
): Promise<Received[]> {
  const received = new Map<string, Received>();
  await waitFor(
    async () => {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          VisibilityTimeout: options.visibilityTimeout,
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        }),
      );
      for (const message of Messages) {
        const body = message.Body ?? '';
        received.set(body, { body, receiveCount: Number(message.Attributes?.ApproximateReceiveCount) });
        if (options.deleteThem !== false) {
          await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
        }
      }
      return received.size >= count;
    },
    { timeoutMs: RECEIVE_ALL_TIMEOUT_MS, description: `${count} messages on ${queueUrl}` },
  );
  return [...received.values()].sort((a, b) => a.body.localeCompare(b.body));
}

/** After the restart: the topology is there, every message comes back once, and fan-out still works. */
async function expectEverythingBack(aws: AwsClients, left: LeftBehind): Promise<void> {
  const { QueueUrls = [] } = await aws.sqs.send(new ListQueuesCommand({ QueueNamePrefix: left.prefix }));
  expect(QueueUrls.sort()).toEqual([left.queueUrl, left.subscribedUrl].sort());
  const { Topics = [] } = await aws.sns.send(new ListTopicsCommand({}));
  expect(Topics.map((topic) => topic.TopicArn)).toContain(left.topicArn);
  const { Subscriptions = [] } = await aws.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: left.topicArn }));
  expect(Subscriptions).toHaveLength(1);

  const { ready, inFlight, delayed } = left.bodies;
  const work = await receiveUntil(aws.sqs, left.queueUrl, ready.length + inFlight.length + delayed.length);
  expect(work.map((message) => message.body)).toEqual([...delayed, ...inFlight, ...ready].sort());
  // The in-flight ones kept their first receive across the restart: this is their second.
  for (const message of work) {
    expect(message.receiveCount, message.body).toBe(inFlight.includes(message.body) ? 2 : 1);
  }

  await aws.sns.send(new PublishCommand({ TopicArn: left.topicArn, Message: 'published-after' }));
  const fanned = await receiveUntil(aws.sqs, left.subscribedUrl, 2);
  expect(fanned.map((message) => message.body)).toEqual(['published-after', 'published-before']);
}

describe('the local SNS/SQS on a data directory', () => {
  it('loses no queue, topic, subscription or message across a stop and start in process', async () => {
    const dataDir = await freshDataDir();
    const first = await startLocalAws({ dataDir });
    cleanups.push(() => first.close());
    const left = await leaveMessagesInEveryState(clientsFor(first.endpoint), 'durable-in-process');
    await first.close();

    const again = await startLocalAws({ port: first.port, dataDir });
    cleanups.push(() => again.close());
    await expectEverythingBack(clientsFor(again.endpoint), left);
  });

  it('loses no queue, topic, subscription or message when its process is SIGKILLed and started again', async () => {
    const dataDir = await freshDataDir();
    const first = await startAwsLocalProcess({ dataDir });
    cleanups.push(() => first.stop());
    const left = await leaveMessagesInEveryState(clientsFor(first.endpoint), 'durable-sigkill');
    await first.kill();

    const again = await startAwsLocalProcess({ port: first.port, dataDir });
    cleanups.push(() => again.stop());
    await expectEverythingBack(clientsFor(again.endpoint), left);
  });

  it('starts clean on the same directory when asked for a fresh start', async () => {
    const dataDir = await freshDataDir();
    const first = await startLocalAws({ dataDir });
    cleanups.push(() => first.close());
    const left = await leaveMessagesInEveryState(clientsFor(first.endpoint), 'durable-fresh');
    await first.close();

    const fresh = await startLocalAws({ port: first.port, dataDir, fresh: true });
    cleanups.push(() => fresh.close());
    const { QueueUrls = [] } = await clientsFor(fresh.endpoint).sqs.send(
      new ListQueuesCommand({ QueueNamePrefix: left.prefix }),
    );
    expect(QueueUrls).toEqual([]);
  });
});

describe('localAwsOptionsFromEnv', () => {
  it('reads the port, data directory and fresh flag over the defaults', () => {
    const defaults = { port: 4566, dataDir: '.changeflow/aws' };
    expect(localAwsOptionsFromEnv({}, defaults)).toEqual({ ...defaults, fresh: undefined });
    expect(
      localAwsOptionsFromEnv(
        { AWS_LOCAL_PORT: '0', AWS_LOCAL_DATA_DIR: '/tmp/state', AWS_LOCAL_FRESH: 'TRUE' },
        defaults,
      ),
    ).toEqual({ port: 0, dataDir: '/tmp/state', fresh: true });
    expect(localAwsOptionsFromEnv({ AWS_LOCAL_DATA_DIR: ' ', AWS_LOCAL_FRESH: '0' }, defaults)).toMatchObject({
      dataDir: '.changeflow/aws',
      fresh: false,
    });
  });

  it('names a bad variable and its value', () => {
    expect(() => localAwsOptionsFromEnv({ AWS_LOCAL_FRESH: 'yes' })).toThrow(/AWS_LOCAL_FRESH.*yes/);
    expect(() => localAwsOptionsFromEnv({ AWS_LOCAL_PORT: '70000' })).toThrow(/AWS_LOCAL_PORT.*70000/);
  });
});
