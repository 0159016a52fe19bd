import {
  ChangeMessageVisibilityCommand,
  ListDeadLetterSourceQueuesCommand,
  ListMessageMoveTasksCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { waitFor } from '@changeflow/test-support';
import { describe, expect, it } from 'vitest';
import {
  EVENTUAL_TIMEOUT_MS,
  knownGapOfLocalEmulator,
  receiveMessages,
  receiveNothing,
  receiveOneMessage,
} from './conformance-helpers.js';
import { type ConformanceAws, type TestQueue, useConformanceAws } from './use-conformance-aws.js';

// Pins dead-lettering as the worker runtime and the CLI rely on it: SQS moves a message that failed
// maxReceiveCount times to the queue its RedrivePolicy names, keeping the message intact. The
// redrive back (StartMessageMoveTask) and the source lookup are AWS features the local emulator
// lacks; the CLI must not depend on them (it replays by receiving and re-sending instead).
const aws = useConformanceAws('dead-letters');

/** A queue with a dead-letter queue after `maxReceiveCount` receives. */
async function createQueueWithDeadLetters(
  conformance: ConformanceAws,
  label: string,
  maxReceiveCount: number,
): Promise<{ queue: TestQueue; deadLetters: TestQueue }> {
  const deadLetters = await conformance.createQueue(`${label}-dlq`);
  const queue = await conformance.createQueue(label, {
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetters.arn, maxReceiveCount }),
  });
  return { queue, deadLetters };
}

/** A message move task can take a while to start on AWS. */
const MOVE_TASK_TIMEOUT_MS = 60_000;

describe('dead-letter queue', () => {
  it('moves a message to the RedrivePolicy target after maxReceiveCount receives', async () => {
    const { sqs } = aws();
    const { queue, deadLetters } = await createQueueWithDeadLetters(aws(), 'redrive', 2);
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl: queue.url,
        MessageBody: 'poison',
        MessageAttributes: { objectType: { DataType: 'String', StringValue: 'trainee' } },
      }),
    );
    // Two failed attempts, each released at once as the worker runtime does for a retry.
    for (const attempt of ['1', '2']) {
      const [received] = await receiveMessages(sqs, queue.url, { count: 1, shouldDelete: false });
      expect(received?.Attributes?.ApproximateReceiveCount).toBe(attempt);
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queue.url,
          ReceiptHandle: received?.ReceiptHandle,
          VisibilityTimeout: 0,
        }),
      );
    }
    // SQS moves the message when a receive would deliver it a third time; keep receiving from the
    // source (which must not hand it out again) until it shows up in the dead-letter queue.
    const handedOutAgain: Message[] = [];
    const deadLettered = await waitFor(
      async () => {
        handedOutAgain.push(...(await receiveNothing(sqs, queue.url)));
        const answer = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: deadLetters.url, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }),
        );
        return handedOutAgain.length > 0 || answer.Messages?.[0];
      },
      { timeoutMs: EVENTUAL_TIMEOUT_MS, description: 'the message in the dead-letter queue' },
    );
    expect(handedOutAgain).toEqual([]);
    // The dead-letter queue keeps the message's id, body and attributes, so what the worker runtime
    // recorded about its failures can be matched to it.
    expect(deadLettered).toMatchObject({
      Body: 'poison',
      MessageId: sent.MessageId,
      MessageAttributes: { objectType: { DataType: 'String', StringValue: 'trainee' } },
    });
  });

  knownGapOfLocalEmulator('fauxqs 2.4.1 has no ListDeadLetterSourceQueues')(
    'lists the queues that dead-letter into a queue',
    async () => {
      const { sqs } = aws();
      const { queue, deadLetters } = await createQueueWithDeadLetters(aws(), 'sources', 3);
      await waitFor(
        async () => {
          const answer = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: deadLetters.url }));
          return answer.queueUrls?.includes(queue.url);
        },
        { timeoutMs: EVENTUAL_TIMEOUT_MS, description: 'the source queue listed' },
      );
    },
  );

  knownGapOfLocalEmulator('fauxqs 2.4.1 has no StartMessageMoveTask or ListMessageMoveTasks')(
    'moves dead-lettered messages back with StartMessageMoveTask and reports the task',
    async () => {
      const { sqs } = aws();
      const { queue, deadLetters } = await createQueueWithDeadLetters(aws(), 'move-back', 3);
      await sqs.send(new SendMessageCommand({ QueueUrl: deadLetters.url, MessageBody: 'replay me' }));
      const started = await sqs.send(
        new StartMessageMoveTaskCommand({ SourceArn: deadLetters.arn, DestinationArn: queue.arn }),
      );
      expect(started.TaskHandle).toEqual(expect.any(String));

      const moved = await receiveOneMessage(sqs, queue.url, { timeoutMs: MOVE_TASK_TIMEOUT_MS });
      expect(moved.Body).toBe('replay me');
      const tasks = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: deadLetters.arn }));
      expect(tasks.Results?.[0]).toMatchObject({ SourceArn: deadLetters.arn, DestinationArn: queue.arn });
    },
    MOVE_TASK_TIMEOUT_MS + 10_000,
  );
});
