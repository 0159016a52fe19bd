import { GetQueueUrlCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { ChangeMessage } from '@changeflow/outbox';
import { createSemaphore } from '@changeflow/semaphore';
import { testAwsClients, testChangeMessage, uniquePrefix, waitFor } from '@changeflow/test-support';
import type { Kysely } from 'kysely';
import {
  type ConsumerDatabase,
  createWorkerRuntime,
  type MessageProcessedEvent,
  type WorkerDefinition,
  type WorkerRuntime,
} from '../src/index.js';

/** A change in wire form, for tests that send messages straight to a worker's queue. */
export function changeMessage(changeNumber: number, objectId: string, objectType = 'trainee'): ChangeMessage {
  return testChangeMessage({ changeNumber: String(changeNumber), objectId, objectType });
}

/** A started runtime on provisioned queues, with every outcome it reported. */
export interface RuntimeHarness {
  runtime: WorkerRuntime;
  prefix: string;
  events: MessageProcessedEvent[];
  /** Sends a raw body to a worker's queue; returns the SQS message id. */
  send(worker: string, body: string): Promise<string>;
  /** Waits until an outcome matching `predicate` was reported, and returns it. */
  waitForEvent(
    predicate: (event: MessageProcessedEvent) => boolean,
    timeoutMs?: number,
  ): Promise<MessageProcessedEvent>;
  /** Receives (and leaves invisible for a minute) what is in a worker's DLQ, until `count` arrived. */
  deadLetters(worker: string, count: number): Promise<Array<{ body: string; attributes: Record<string, string> }>>;
  close(): Promise<void>;
}

export async function startRuntime<DB extends ConsumerDatabase>(
  db: Kysely<DB>,
  workers: WorkerDefinition[],
): Promise<RuntimeHarness> {
  const aws = testAwsClients();
  const prefix = uniquePrefix('consumer');
  const runtime = createWorkerRuntime({ sqs: aws.sqs, sns: aws.sns, db, semaphore: createSemaphore(db) }, workers, {
    prefix,
    provision: true,
    drainTimeoutMs: 5000,
  });
  const events: MessageProcessedEvent[] = [];
  runtime.on('message:processed', (event) => events.push(event));
  await runtime.start();
  const url = async (name: string) => (await aws.sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl ?? '';
  return {
    runtime,
    prefix,
    events,
    async send(worker, body) {
      const answer = await aws.sqs.send(
        new SendMessageCommand({ QueueUrl: await url(`${prefix}-${worker}`), MessageBody: body }),
      );
      return answer.MessageId ?? '';
    },
    waitForEvent(predicate, timeoutMs = 20_000) {
      return waitFor(() => events.find(predicate), { timeoutMs, description: 'a matching message:processed event' });
    },
    async deadLetters(worker, count) {
      const dlq = await url(`${prefix}-${worker}-dlq`);
      const found: Array<{ body: string; attributes: Record<string, string> }> = [];
      await waitFor(
        async () => {
          const answer = await aws.sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: dlq,
              MaxNumberOfMessages: 10,
              WaitTimeSeconds: 1,
              VisibilityTimeout: 60,
              MessageAttributeNames: ['All'],
            }),
          );
          for (const message of answer.Messages ?? []) {
            const attributes = Object.fromEntries(
              Object.entries(message.MessageAttributes ?? {}).map(([key, value]) => [key, value.StringValue ?? '']),
            );
            found.push({ body: message.Body ?? '', attributes });
          }
          return found.length >= count;
        },
        { timeoutMs: 30_000, intervalMs: 0, description: `${count} dead letters of ${worker}` },
      );
      return found;
    },
    async close() {
      await runtime.stop();
      aws.destroy();
    },
  };
}
