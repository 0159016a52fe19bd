import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { encodeChangeMessageBody } from '@changeflow/outbox';
import { showProgress } from '../support/progress.js';
import { runTogether } from '../support/run-together.js';

/** SQS's largest batch. */
const BATCH_SIZE = 10;

/**
 * Sends `messages` single-change messages (the DESIGN.md §4 shape, as the outbox would publish them)
 * round-robin into `queueUrls`, ten per `SendMessageBatch`, from `senders` loops at once. Returns the
 * time it took. Any entry SQS refuses fails the run: the figures would be for fewer messages.
 */
export async function preloadQueues(
  sqs: SQSClient,
  queueUrls: readonly string[],
  messages: number,
  senders: number,
  signal: AbortSignal,
): Promise<{ durationMs: number }> {
  let claimed = 0;
  let sent = 0;
  let batch = 0;
  const started = performance.now();
  const stopProgress = showProgress(() => `consumer: pre-loaded ${sent} of ${messages} messages`);
  try {
    await runTogether(senders, signal, async (_copy, loopSignal) => {
      while (!loopSignal.aborted && claimed < messages) {
        const first = claimed;
        const count = Math.min(BATCH_SIZE, messages - first);
        claimed += count;
        const queueUrl = queueUrls[batch % queueUrls.length] ?? '';
        batch += 1;
        const answer = await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: Array.from({ length: count }, (_, index) => ({
              Id: String(index),
              MessageBody: changeBody(first + index + 1),
            })),
          }),
          { abortSignal: loopSignal },
        );
        if ((answer.Failed ?? []).length > 0) {
          throw new Error(`SQS refused ${answer.Failed?.length} pre-loaded messages: ${answer.Failed?.[0]?.Message}`);
        }
        sent += answer.Successful?.length ?? 0;
      }
    });
  } finally {
    stopProgress();
  }
  return { durationMs: performance.now() - started };
}

function changeBody(changeNumber: number): string {
  return encodeChangeMessageBody({
    changes: [
      {
        changeNumber: String(changeNumber),
        objectType: 'trainee',
        objectId: `bench-${changeNumber}`,
        objectVersion: 1,
        changeType: 'UPDATE',
        timestamp: new Date().toISOString(),
        userId: 'bench',
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      },
    ],
  });
}
