import { createHash } from 'node:crypto';
import {
  DeleteMessageBatchCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { inject, it, type TestFunction } from 'vitest';
import { queueDepth } from '../../src/index.js';

/**
 * How long to wait for something AWS makes true "eventually": approximate counts, a new subscription
 * or queue becoming visible. The local emulator makes these true at once, so this only bounds a
 * run against LocalStack or AWS.
 */
export const EVENTUAL_TIMEOUT_MS = 30_000;

/**
 * Declares a case that pins how AWS behaves where the local emulator (fauxqs) behaves differently.
 * Against the local emulator it is skipped, its name carrying the reason; against any other endpoint
 * (`AWS_ENDPOINT_URL`: LocalStack, AWS) it runs unchanged. Changeflow must not rely on the local
 * emulator's side of such a difference.
 *
 * @example
 * knownGapOfLocalEmulator('fauxqs has no ListDeadLetterSourceQueues')('lists the source queues of a DLQ', async () => { … });
 */
export function knownGapOfLocalEmulator(reason: string) {
  return (name: string, fn: TestFunction, timeoutMs?: number): void => {
    if (inject('isLocalAws')) {
      it.skip(`${name} [known gap of the local emulator: ${reason}]`, fn);
    } else {
      it(name, fn, timeoutMs);
    }
  };
}

/** What {@link receiveMessages} waits for, and for how long. */
export interface ReceiveMessagesOptions {
  /** How many distinct messages to collect before returning. */
  count: number;
  /**
   * Gives up (throwing, with what did arrive) after this long.
   * @defaultValue 20000
   */
  timeoutMs?: number;
  /**
   * Deletes each message once received, so it cannot come back when its visibility ends.
   * @defaultValue true
   */
  shouldDelete?: boolean;
  /** Visibility timeout for the receives; the queue's own when unset. */
  visibilityTimeoutSeconds?: number;
}

/**
 * Long-polls `queueUrl` until `count` distinct messages (by `MessageId`) have arrived, asking for all
 * message and system attributes. SQS may answer a receive with fewer messages than are available,
 * so this keeps asking rather than expecting them in one answer.
 */
export async function receiveMessages(
  sqs: SQSClient,
  queueUrl: string,
  options: ReceiveMessagesOptions,
): Promise<Message[]> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  const received = new Map<string, Message>();
  while (received.size < options.count) {
    if (Date.now() > deadline) {
      const bodies = [...received.values()].map((message) => message.Body);
      throw new Error(
        `timed out waiting for ${options.count} messages on ${queueUrl}; got ${received.size}: ${JSON.stringify(bodies)}`,
      );
    }
    const answer = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(10, options.count - received.size),
        WaitTimeSeconds: 1,
        VisibilityTimeout: options.visibilityTimeoutSeconds,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    const messages = answer.Messages ?? [];
    for (const message of messages) received.set(requireField(message.MessageId, 'MessageId'), message);
    if ((options.shouldDelete ?? true) && messages.length > 0) await deleteMessages(sqs, queueUrl, messages);
  }
  return [...received.values()];
}

/** Receives and deletes the one message expected on `queueUrl`, waiting for it. */
export async function receiveOneMessage(
  sqs: SQSClient,
  queueUrl: string,
  options: Omit<ReceiveMessagesOptions, 'count'> = {},
): Promise<Message> {
  const [message] = await receiveMessages(sqs, queueUrl, { ...options, count: 1 });
  return requireField(message, 'message');
}

/**
 * One long poll of a second that must come back empty. It bounds the check rather than proving a
 * negative: deliveries that are wrongly made later than that go unseen. The local emulator delivers
 * inside `Publish`, so there it is exact.
 */
export async function receiveNothing(sqs: SQSClient, queueUrl: string): Promise<Message[]> {
  const answer = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
  );
  return answer.Messages ?? [];
}

/** Deletes `messages` from `queueUrl` in one batch (at most 10), failing if any entry fails. */
async function deleteMessages(sqs: SQSClient, queueUrl: string, messages: readonly Message[]): Promise<void> {
  const answer = await sqs.send(
    new DeleteMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: messages.map((message, index) => ({ Id: `m${index}`, ReceiptHandle: message.ReceiptHandle })),
    }),
  );
  if (answer.Failed && answer.Failed.length > 0) {
    throw new Error(`DeleteMessageBatch failed on ${queueUrl}: ${JSON.stringify(answer.Failed)}`);
  }
}

/** A queue's approximate message counts. */
export interface QueueCounts {
  /** `ApproximateNumberOfMessages`: visible, waiting to be received. */
  visible: number;
  /** `ApproximateNumberOfMessagesNotVisible`: received and within their visibility timeout. */
  notVisible: number;
}

/** Reads the approximate counts of `queueUrl`. */
export async function queueCounts(sqs: SQSClient, queueUrl: string): Promise<QueueCounts> {
  const { visible, inFlight } = await queueDepth(sqs, queueUrl);
  return { visible, notVisible: inFlight };
}

/**
 * `MD5OfMessageAttributes` as SQS documents it: attributes sorted by name, each encoded as name,
 * data type and value, every part prefixed with its 4-byte big-endian length, the value preceded by
 * its transport type (1 string, 2 binary). Computed here so a case can check the digest SQS returns,
 * which the SDK itself does not verify (it checks only the body's MD5).
 */
export function md5OfMessageAttributes(attributes: Record<string, MessageAttributeValue>): string {
  const parts: Buffer[] = [];
  const withLength = (bytes: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    parts.push(length, bytes);
  };
  for (const name of Object.keys(attributes).sort()) {
    const attribute = requireField(attributes[name], name);
    const dataType = requireField(attribute.DataType, `${name}.DataType`);
    withLength(Buffer.from(name, 'utf8'));
    withLength(Buffer.from(dataType, 'utf8'));
    if (dataType.startsWith('Binary')) {
      parts.push(Buffer.from([2]));
      withLength(Buffer.from(requireField(attribute.BinaryValue, `${name}.BinaryValue`)));
    } else {
      parts.push(Buffer.from([1]));
      withLength(Buffer.from(requireField(attribute.StringValue, `${name}.StringValue`), 'utf8'));
    }
  }
  return createHash('md5').update(Buffer.concat(parts)).digest('hex');
}

/** `value`, or a thrown error naming `what` when the service left it out. */
export function requireField<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) throw new Error(`expected ${what} in the answer, got ${value}`);
  return value;
}
