import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { type ChangeMessage, encodeChangeMessageBody } from '@changeflow/outbox';
import { Batcher } from './batcher.js';

/** How long a batched delete or visibility change waits for company before it is sent. */
const BATCH_DELAY_MS = 5;

/** The SQS calls of one worker's queue and DLQ, with deletes and heartbeats batched ten at a time. */
export class QueueClient {
  readonly #sqs: SQSClient;
  readonly #queueUrl: string;
  readonly #deadLetterQueueUrl: string;
  readonly #deletes: Batcher<string>;

  constructor(sqs: SQSClient, queueUrl: string, deadLetterQueueUrl: string) {
    this.#sqs = sqs;
    this.#queueUrl = queueUrl;
    this.#deadLetterQueueUrl = deadLetterQueueUrl;
    this.#deletes = new Batcher((handles) => this.#deleteBatch(handles), { maxSize: 10, maxDelayMs: BATCH_DELAY_MS });
  }

  async receive(max: number, waitTimeSeconds: number, visibilityTimeoutSeconds: number): Promise<Message[]> {
    const answer = await this.#sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.#queueUrl,
        MaxNumberOfMessages: Math.min(10, Math.max(1, max)),
        WaitTimeSeconds: waitTimeSeconds,
        VisibilityTimeout: visibilityTimeoutSeconds,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        MessageAttributeNames: ['All'],
      }),
    );
    return answer.Messages ?? [];
  }

  /** Deletes a handled message (batched with others). Rejects when SQS did not delete it. */
  delete(receiptHandle: string): Promise<void> {
    return this.#deletes.add(receiptHandle);
  }

  async changeVisibility(receiptHandle: string, visibilityTimeoutSeconds: number): Promise<void> {
    await this.#sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.#queueUrl,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: visibilityTimeoutSeconds,
      }),
    );
  }

  /** Heartbeat: keeps these messages invisible for another `visibilityTimeoutSeconds`. Returns the handles SQS refused. */
  async extendVisibility(receiptHandles: readonly string[], visibilityTimeoutSeconds: number): Promise<string[]> {
    const refused: string[] = [];
    for (let start = 0; start < receiptHandles.length; start += 10) {
      const chunk = receiptHandles.slice(start, start + 10);
      const answer = await this.#sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: this.#queueUrl,
          Entries: chunk.map((handle, index) => ({
            Id: String(index),
            ReceiptHandle: handle,
            VisibilityTimeout: visibilityTimeoutSeconds,
          })),
        }),
      );
      for (const failed of answer.Failed ?? []) {
        const handle = chunk[Number(failed.Id)];
        if (handle !== undefined) refused.push(handle);
      }
    }
    return refused;
  }

  /** Sends the message to the DLQ with the reason as attributes; the caller deletes the original after. */
  async sendToDeadLetterQueue(
    message: Message,
    reason: { error: string; worker: string; attempts: number },
  ): Promise<void> {
    const attributes: Record<string, MessageAttributeValue> = {
      ...(message.MessageAttributes ?? {}),
      'changeflow-error': { DataType: 'String', StringValue: reason.error.slice(0, 1000) || 'unknown' },
      'changeflow-worker': { DataType: 'String', StringValue: reason.worker },
      'changeflow-attempts': { DataType: 'Number', StringValue: String(reason.attempts) },
      'changeflow-source-message-id': { DataType: 'String', StringValue: message.MessageId ?? 'unknown' },
    };
    await this.#sqs.send(
      new SendMessageCommand({
        QueueUrl: this.#deadLetterQueueUrl,
        // SQS rejects an empty body; a dead letter must still arrive to say what was wrong.
        MessageBody: message.Body || '(empty body)',
        MessageAttributes: attributes,
      }),
    );
  }

  /** Sends one message per change back to the worker's own queue. Throws unless every one was accepted. */
  async sendSplit(changes: readonly ChangeMessage[], sourceMessageId: string): Promise<void> {
    for (let start = 0; start < changes.length; start += 10) {
      const chunk = changes.slice(start, start + 10);
      const answer = await this.#sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: this.#queueUrl,
          Entries: chunk.map((change, index) => ({
            Id: String(index),
            MessageBody: encodeChangeMessageBody({ changes: [change] }),
            MessageAttributes: {
              objectType: { DataType: 'String', StringValue: change.objectType },
              changeCount: { DataType: 'Number', StringValue: '1' },
              'changeflow-split-from': { DataType: 'String', StringValue: sourceMessageId },
            },
          })),
        }),
      );
      if ((answer.Failed ?? []).length > 0) {
        throw new Error(
          `SQS refused ${answer.Failed?.length} of the split messages: ${answer.Failed?.[0]?.Message ?? ''}`,
        );
      }
    }
  }

  /** Sends the deletes still waiting. */
  drain(): Promise<void> {
    return this.#deletes.drain();
  }

  async #deleteBatch(receiptHandles: string[]): Promise<Array<Error | undefined>> {
    const answer = await this.#sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: this.#queueUrl,
        Entries: receiptHandles.map((handle, index) => ({ Id: String(index), ReceiptHandle: handle })),
      }),
    );
    const errors: Array<Error | undefined> = receiptHandles.map(() => undefined);
    for (const failed of answer.Failed ?? []) {
      errors[Number(failed.Id)] = new Error(`SQS did not delete the message: ${failed.Code}: ${failed.Message ?? ''}`);
    }
    return errors;
  }
}
