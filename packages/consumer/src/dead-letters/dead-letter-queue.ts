import { Buffer } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import { type SqsAccess, sendOrExplain, type WorkerQueues } from './queues.js';

/** Attributes the worker runtime puts on a message it dead-letters itself (`@changeflow/consumer`). */
export const DEAD_LETTER_ATTRIBUTES = {
  error: 'changeflow-error',
  worker: 'changeflow-worker',
  attempts: 'changeflow-attempts',
  sourceMessageId: 'changeflow-source-message-id',
} as const;

/** Put by a replay on the message it sends back: the original message id, to follow a message through replays. */
export const REPLAYED_FROM_ATTRIBUTE = 'changeflow-replayed-from';
/**
 * The replay run that sent a message back to its queue. The runtime and SQS's redrive keep a
 * message's attributes when they dead-letter it again, so a replay recognises a message that failed
 * again and came back while it runs, and leaves it in the DLQ instead of moving it round forever.
 */
const REPLAY_RUN_ATTRIBUTE = 'changeflow-replay-run';

/** SQS's limit on one message and on one `SendMessageBatch` call, in bytes. */
const SQS_MAX_PAYLOAD_BYTES = 262_144;

/** A message of a DLQ, with what Changeflow knows about it. */
export interface DeadLetter {
  /** The message's id in the DLQ. */
  messageId: string;
  /**
   * The id the worker first received it under, which keys `failed_messages`: the runtime's own DLQ
   * sends carry it in `changeflow-source-message-id`; SQS's redrive keeps the id itself.
   */
  originalMessageId: string;
  /** `changeflow-error`, when the runtime dead-lettered it; SQS's redrive gives no reason. */
  reason: string | undefined;
  /** `changeflow-attempts`, when present. */
  attempts: number | undefined;
  /** Receives of this message so far, SQS's `ApproximateReceiveCount`. */
  receiveCount: number;
  /** When it was sent to the DLQ (or, after SQS's redrive, to the first queue). */
  sentAt: Date | undefined;
  message: Message;
}

/** What Changeflow reads from a received DLQ message. */
export function toDeadLetter(message: Message): DeadLetter {
  const attributes = message.MessageAttributes ?? {};
  const messageId = message.MessageId ?? 'unknown';
  const attempts = attributes[DEAD_LETTER_ATTRIBUTES.attempts]?.StringValue;
  const sent = message.Attributes?.SentTimestamp;
  return {
    messageId,
    originalMessageId: attributes[DEAD_LETTER_ATTRIBUTES.sourceMessageId]?.StringValue ?? messageId,
    reason: attributes[DEAD_LETTER_ATTRIBUTES.error]?.StringValue,
    attempts: attempts === undefined ? undefined : Number(attempts),
    receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? '0'),
    sentAt: sent === undefined ? undefined : new Date(Number(sent)),
    message,
  };
}

/** A DLQ message for people: its attributes as plain strings and its body parsed when it is JSON. */
export function describeDeadLetter(letter: DeadLetter): Record<string, unknown> {
  const attributes: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(letter.message.MessageAttributes ?? {})) {
    attributes[name] = value.StringValue ?? (value.BinaryValue ? `(${value.BinaryValue.length} bytes)` : undefined);
  }
  let body: unknown = letter.message.Body ?? '';
  try {
    body = JSON.parse(letter.message.Body ?? '');
  } catch {
    // Not JSON (a malformed message is one reason to be here): show it as text.
  }
  return {
    messageId: letter.messageId,
    originalMessageId: letter.originalMessageId,
    reason: letter.reason ?? null,
    attempts: letter.attempts ?? null,
    receiveCount: letter.receiveCount,
    sentAt: letter.sentAt ?? null,
    attributes,
    body,
  };
}

/**
 * The attributes a replayed message goes back to the queue with: its own (object type, change count,
 * split origin), without the DLQ's reason attributes, plus `changeflow-replayed-from`. If it fails
 * again, the runtime writes fresh reason attributes of its own.
 */
function replayAttributes(letter: DeadLetter, replayRun?: string): Record<string, MessageAttributeValue> {
  const dropped = new Set<string>([
    ...Object.values(DEAD_LETTER_ATTRIBUTES),
    REPLAYED_FROM_ATTRIBUTE,
    REPLAY_RUN_ATTRIBUTE,
  ]);
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(letter.message.MessageAttributes ?? {})) {
    if (!dropped.has(name)) attributes[name] = value;
  }
  attributes[REPLAYED_FROM_ATTRIBUTE] = { DataType: 'String', StringValue: letter.originalMessageId };
  if (replayRun) attributes[REPLAY_RUN_ATTRIBUTE] = { DataType: 'String', StringValue: replayRun };
  return attributes;
}

/** The SQS calls of one worker's DLQ and queue that dead-letter commands need. */
export class DeadLetterQueue {
  readonly #access: SqsAccess;
  readonly queues: WorkerQueues;
  /** Marks what this object sends back to the queue (see {@link REPLAY_RUN_ATTRIBUTE}). */
  readonly replayRun = randomUUID();

  constructor(access: SqsAccess, queues: WorkerQueues) {
    this.#access = access;
    this.queues = queues;
  }

  /** One receive from the DLQ; what it returns stays invisible for `visibilityTimeoutSeconds`. */
  async receive(max: number, visibilityTimeoutSeconds: number, waitTimeSeconds: number): Promise<DeadLetter[]> {
    const answer = await sendOrExplain(this.#access, `receive from ${this.queues.topology.deadLetterQueueName}`, () =>
      this.#access.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: this.queues.deadLetterQueueUrl,
          MaxNumberOfMessages: Math.min(10, Math.max(1, max)),
          VisibilityTimeout: visibilityTimeoutSeconds,
          WaitTimeSeconds: waitTimeSeconds,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
        }),
      ),
    );
    return (answer.Messages ?? []).map(toDeadLetter);
  }

  /** Makes received DLQ messages visible again at once; they are never deleted here. */
  async release(receiptHandles: readonly string[]): Promise<void> {
    for (let start = 0; start < receiptHandles.length; start += 10) {
      const chunk = receiptHandles.slice(start, start + 10);
      await sendOrExplain(this.#access, `hand messages back to ${this.queues.topology.deadLetterQueueName}`, () =>
        this.#access.sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: this.queues.deadLetterQueueUrl,
            Entries: chunk.map((handle, index) => ({ Id: String(index), ReceiptHandle: handle, VisibilityTimeout: 0 })),
          }),
        ),
      );
    }
  }

  /**
   * Sends copies of DLQ messages to the worker's queue. Returns the letters SQS accepted and those it
   * refused, with the reason.
   */
  async sendToQueue(
    letters: readonly DeadLetter[],
  ): Promise<{ sent: DeadLetter[]; refused: Array<{ letter: DeadLetter; reason: string }> }> {
    const sent: DeadLetter[] = [];
    const refused: Array<{ letter: DeadLetter; reason: string }> = [];
    for (const chunk of chunkBySize(letters)) {
      const answer = await sendOrExplain(this.#access, `send to ${this.queues.topology.queueName}`, () =>
        this.#access.sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: this.queues.queueUrl,
            Entries: chunk.map((letter, index) => ({
              Id: String(index),
              MessageBody: letter.message.Body || '(empty body)',
              MessageAttributes: replayAttributes(letter, this.replayRun),
            })),
          }),
        ),
      );
      for (const ok of answer.Successful ?? []) {
        const letter = chunk[Number(ok.Id)];
        if (letter) sent.push(letter);
      }
      for (const failure of answer.Failed ?? []) {
        const letter = chunk[Number(failure.Id)];
        if (letter) refused.push({ letter, reason: `${failure.Code}: ${failure.Message ?? ''}`.trim() });
      }
    }
    return { sent, refused };
  }

  /** Whether `letter` was sent back to the queue by this object and has been dead-lettered again since. */
  cameBackFromThisRun(letter: DeadLetter): boolean {
    return letter.message.MessageAttributes?.[REPLAY_RUN_ATTRIBUTE]?.StringValue === this.replayRun;
  }

  /** Deletes DLQ messages; returns those SQS did not delete. */
  async delete(letters: readonly DeadLetter[]): Promise<DeadLetter[]> {
    const notDeleted: DeadLetter[] = [];
    for (let start = 0; start < letters.length; start += 10) {
      const chunk = letters.slice(start, start + 10);
      const answer = await sendOrExplain(this.#access, `delete from ${this.queues.topology.deadLetterQueueName}`, () =>
        this.#access.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: this.queues.deadLetterQueueUrl,
            Entries: chunk.map((letter, index) => ({ Id: String(index), ReceiptHandle: letter.message.ReceiptHandle })),
          }),
        ),
      );
      for (const failure of answer.Failed ?? []) {
        const letter = chunk[Number(failure.Id)];
        if (letter) notDeleted.push(letter);
      }
    }
    return notDeleted;
  }
}

/** Splits letters into `SendMessageBatch` calls of at most 10 entries and 256 KiB. */
function chunkBySize(letters: readonly DeadLetter[]): DeadLetter[][] {
  const chunks: DeadLetter[][] = [];
  let current: DeadLetter[] = [];
  let bytes = 0;
  for (const letter of letters) {
    const size = payloadBytes(letter);
    if (current.length > 0 && (current.length === 10 || bytes + size > SQS_MAX_PAYLOAD_BYTES)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(letter);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** As long as a real replay run id, for sizing a batch before it is sent. */
const PLACEHOLDER_RUN = '00000000-0000-0000-0000-000000000000';

function payloadBytes(letter: DeadLetter): number {
  let bytes = Buffer.byteLength(letter.message.Body ?? '');
  for (const [name, value] of Object.entries(replayAttributes(letter, PLACEHOLDER_RUN))) {
    bytes +=
      Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? '') + Buffer.byteLength(value.StringValue ?? '');
  }
  return bytes;
}
