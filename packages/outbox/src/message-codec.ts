import { ChangeflowError, describeIssues } from '@changeflow/errors';
import { z } from 'zod';
import type { ChangeMessage, ChangeMessageBody, RecordedChange } from './types.js';

/** SNS's limit for one message, and for the whole of one `PublishBatch` (256 KiB). */
export const SNS_MAX_PAYLOAD_BYTES = 262_144;
/** Entries in one `PublishBatch`. */
export const SNS_MAX_BATCH_ENTRIES = 10;

/** The wire form of a recorded change. */
export function toChangeMessage(change: RecordedChange): ChangeMessage {
  return {
    changeNumber: change.changeNumber,
    objectType: change.objectType,
    objectId: change.objectId,
    objectVersion: change.objectVersion,
    changeType: change.changeType,
    timestamp: change.createdAt.toISOString(),
    userId: change.userId,
    traceparent: change.traceparent,
  };
}

/** One SNS message ready to send: its body and the change numbers inside it. */
export interface PackedMessage {
  body: string;
  changeNumbers: string[];
  /** UTF-8 size of the body plus the message attributes that travel with it. */
  bytes: number;
}

/** Limits for {@link packMessages}. */
export interface PackLimits {
  maxChangesPerMessage: number;
  /** Budget for one message, attributes included. */
  maxMessageBytes: number;
  /** Bytes the message attributes add to each message. */
  attributeBytes: number;
}

const OPEN = '{"changes":[';
const CLOSE = ']}';

/**
 * Packs changes (of one object type) into as few SNS messages as the limits allow, in order.
 * A single change never exceeds the budget: `changeInputSchema` bounds every field.
 */
export function packMessages(changes: readonly RecordedChange[], limits: PackLimits): PackedMessage[] {
  const messages: PackedMessage[] = [];
  let parts: string[] = [];
  let numbers: string[] = [];
  let bytes = limits.attributeBytes + OPEN.length + CLOSE.length;
  const emit = () => {
    if (parts.length === 0) return;
    messages.push({ body: `${OPEN}${parts.join(',')}${CLOSE}`, changeNumbers: numbers, bytes });
    parts = [];
    numbers = [];
    bytes = limits.attributeBytes + OPEN.length + CLOSE.length;
  };
  for (const change of changes) {
    const json = JSON.stringify(toChangeMessage(change));
    const jsonBytes = Buffer.byteLength(json);
    // +1 for the comma that joins it to the previous change.
    if (
      parts.length >= limits.maxChangesPerMessage ||
      (parts.length > 0 && bytes + jsonBytes + 1 > limits.maxMessageBytes)
    ) {
      emit();
    }
    bytes += jsonBytes + (parts.length > 0 ? 1 : 0);
    parts.push(json);
    numbers.push(change.changeNumber);
  }
  emit();
  return messages;
}

/** Groups packed messages into `PublishBatch` calls: at most 10 entries and `maxBatchBytes` each. */
export function packBatches(messages: readonly PackedMessage[], maxBatchBytes: number): PackedMessage[][] {
  const batches: PackedMessage[][] = [];
  let batch: PackedMessage[] = [];
  let bytes = 0;
  for (const message of messages) {
    if (batch.length >= SNS_MAX_BATCH_ENTRIES || (batch.length > 0 && bytes + message.bytes > maxBatchBytes)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(message);
    bytes += message.bytes;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

const changeMessageSchema = z.object({
  changeNumber: z.string().regex(/^\d+$/, 'must be a decimal string'),
  objectType: z.string().min(1),
  objectId: z.string().min(1),
  objectVersion: z.number().int().nonnegative(),
  changeType: z.enum(['CREATE', 'UPDATE', 'DELETE']),
  timestamp: z.string().min(1),
  userId: z.string().nullable(),
  traceparent: z.string().nullable(),
});

const changeMessageBodySchema = z.object({ changes: z.array(changeMessageSchema).min(1) });

/** Raised for an SQS body that is not a change message; the worker runtime dead-letters it with this reason. */
export class MalformedMessageError extends ChangeflowError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MALFORMED_MESSAGE', message, options);
  }
}

/** Parses and validates a message body; the error says which field is wrong and why. */
export function decodeChangeMessageBody(body: string): ChangeMessageBody {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (err) {
    throw new MalformedMessageError(`message body is not JSON: ${(err as Error).message}`, { cause: err });
  }
  const parsed = changeMessageBodySchema.safeParse(json);
  if (!parsed.success) {
    throw new MalformedMessageError(
      `message body is not a change message: ${describeIssues(parsed.error.issues, json)}`,
      {
        cause: parsed.error,
      },
    );
  }
  return parsed.data;
}

/** Serialises changes already in wire form (used to split a failed multi-change message). */
export function encodeChangeMessageBody(body: ChangeMessageBody): string {
  return JSON.stringify(body);
}
