import { describe, expect, it } from 'vitest';
import {
  decodeChangeMessageBody,
  MalformedMessageError,
  packBatches,
  packMessages,
  type RecordedChange,
  SNS_MAX_PAYLOAD_BYTES,
} from '../src/index.js';

function change(n: number, objectId = `object-${n}`): RecordedChange {
  return {
    changeNumber: String(n),
    objectType: 'trainee',
    objectId,
    objectVersion: n,
    changeType: 'UPDATE',
    userId: null,
    traceparent: null,
    createdAt: new Date('2026-11-23T10:00:00Z'),
    publishedAt: null,
  };
}

describe('packMessages', () => {
  it('keeps to the change count per message, in order', () => {
    const changes = Array.from({ length: 25 }, (_, i) => change(i + 1));
    const messages = packMessages(changes, {
      maxChangesPerMessage: 10,
      maxMessageBytes: SNS_MAX_PAYLOAD_BYTES,
      attributeBytes: 0,
    });
    expect(messages.map((m) => m.changeNumbers.length)).toEqual([10, 10, 5]);
    expect(messages.flatMap((m) => m.changeNumbers)).toEqual(changes.map((c) => c.changeNumber));
  });

  it('never exceeds the byte budget, and reports the true size', () => {
    const changes = Array.from({ length: 2000 }, (_, i) => change(i + 1, `${'x'.repeat(900)}-${i}`));
    const messages = packMessages(changes, {
      maxChangesPerMessage: 10_000,
      maxMessageBytes: 65_536,
      attributeBytes: 100,
    });
    expect(messages.length).toBeGreaterThan(1);
    for (const message of messages) {
      expect(Buffer.byteLength(message.body) + 100).toBe(message.bytes);
      expect(message.bytes).toBeLessThanOrEqual(65_536);
      expect(decodeChangeMessageBody(message.body).changes.map((c) => c.changeNumber)).toEqual(message.changeNumbers);
    }
    expect(messages.flatMap((m) => m.changeNumbers)).toHaveLength(2000);
  });

  it('counts multi-byte characters as bytes, not string length', () => {
    const changes = Array.from({ length: 400 }, (_, i) => change(i + 1, `${'é'.repeat(500)}${i}`));
    for (const message of packMessages(changes, {
      maxChangesPerMessage: 1000,
      maxMessageBytes: 20_000,
      attributeBytes: 0,
    })) {
      expect(Buffer.byteLength(message.body)).toBeLessThanOrEqual(20_000);
    }
  });
});

describe('packBatches', () => {
  it('puts at most 10 messages and the byte budget in one PublishBatch', () => {
    const messages = Array.from({ length: 35 }, (_, i) => ({ body: '{}', changeNumbers: [String(i)], bytes: 30_000 }));
    const batches = packBatches(messages, 100_000);
    for (const batch of batches) {
      expect(batch.length).toBeLessThanOrEqual(10);
      expect(batch.reduce((sum, m) => sum + m.bytes, 0)).toBeLessThanOrEqual(100_000);
    }
    expect(batches.flat()).toHaveLength(35);
    expect(
      packBatches(
        messages.slice(0, 25).map((m) => ({ ...m, bytes: 10 })),
        100_000,
      ).map((b) => b.length),
    ).toEqual([10, 10, 5]);
  });
});

describe('decodeChangeMessageBody', () => {
  it('rejects a body that is not JSON', () => {
    expect(() => decodeChangeMessageBody('not json')).toThrow(MalformedMessageError);
  });

  it('names the bad field of a body that is not a change message', () => {
    const body = JSON.stringify({ changes: [{ ...change(1), changeNumber: 'x' }] });
    expect(() => decodeChangeMessageBody(body)).toThrow(/changes\.0\.changeNumber = "x": must be a decimal string/);
    expect(() => decodeChangeMessageBody('{"changes":[]}')).toThrow(MalformedMessageError);
  });
});
