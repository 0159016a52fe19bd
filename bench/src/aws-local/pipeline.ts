import { CreateTopicCommand, DeleteTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import type { AwsClients } from '@changeflow/aws';

/** A topic feeding one queue through a raw-delivery subscription: DESIGN.md §1 step 4, once. */
export interface Pipeline {
  readonly topicArn: string;
  readonly queueUrl: string;
  /** Deletes the queue and the topic (and with it the subscription). Tries both; throws if either failed. */
  delete(): Promise<void>;
}

/**
 * Visibility of a received message. Longer than any measurement is allowed to run, so a message is
 * never delivered twice because a consumer was slow, and a duplicate in the figures means the
 * transport duplicated it.
 */
const VISIBILITY_TIMEOUT_SECONDS = 3_600;

/** Bound on each delete call of the cleanup. */
const CLEANUP_TIMEOUT_MS = 10_000;

/**
 * Creates topic `name`, queue `name`, a queue policy letting the topic send to the queue, and a raw
 * subscription. If a step fails, what was created is deleted before the error is rethrown.
 */
export async function createPipeline(aws: AwsClients, name: string, signal: AbortSignal): Promise<Pipeline> {
  const undo: Array<() => Promise<unknown>> = [];
  try {
    const topic = await aws.sns.send(new CreateTopicCommand({ Name: name }), { abortSignal: signal });
    const topicArn = required(topic.TopicArn, `CreateTopic ${name} returned no TopicArn`);
    undo.push(() => aws.sns.send(new DeleteTopicCommand({ TopicArn: topicArn }), cleanupDeadline()));

    const queue = await aws.sqs.send(
      new CreateQueueCommand({
        QueueName: name,
        Attributes: { VisibilityTimeout: String(VISIBILITY_TIMEOUT_SECONDS) },
      }),
      { abortSignal: signal },
    );
    const queueUrl = required(queue.QueueUrl, `CreateQueue ${name} returned no QueueUrl`);
    undo.push(() => aws.sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }), cleanupDeadline()));

    const attributes = await aws.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
      { abortSignal: signal },
    );
    const queueArn = required(attributes.Attributes?.QueueArn, `GetQueueAttributes ${queueUrl} returned no QueueArn`);
    await aws.sqs.send(
      new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { Policy: topicMaySend(topicArn, queueArn) } }),
      { abortSignal: signal },
    );
    await aws.sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: queueArn,
        Attributes: { RawMessageDelivery: 'true' },
        ReturnSubscriptionArn: true,
      }),
      { abortSignal: signal },
    );
    return { topicArn, queueUrl, delete: () => runAll(undo) };
  } catch (err) {
    await runAll(undo).catch(() => {
      // The creation error is the one to report; a failed undo leaves names prefixed `cf-bench-`.
    });
    throw err;
  }
}

/** The queue policy AWS requires before SNS may deliver to SQS; emulators accept it and ignore it. */
function topicMaySend(topicArn: string, queueArn: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: queueArn,
        Condition: { ArnEquals: { 'aws:SourceArn': topicArn } },
      },
    ],
  });
}

/**
 * Deletion runs after the benchmark's own signal may have aborted (Ctrl-C), so it gets its own bound:
 * the SDK sets no response timeout, and a cleanup must not hang.
 */
function cleanupDeadline(): { abortSignal: AbortSignal } {
  return { abortSignal: AbortSignal.timeout(CLEANUP_TIMEOUT_MS) };
}

function required<T>(value: T | undefined, message: string): T {
  if (value === undefined) throw new Error(message);
  return value;
}

/** Runs every step, latest first; throws an AggregateError of those that failed. */
async function runAll(steps: ReadonlyArray<() => Promise<unknown>>): Promise<void> {
  const results = await Promise.allSettled([...steps].reverse().map((step) => step()));
  const errors = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
  if (errors.length > 0) throw new AggregateError(errors, 'cannot delete the benchmark topic and queue');
}
