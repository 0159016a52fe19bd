import {
  BatchRequestTooLongException,
  InvalidParameterException,
  PublishBatchCommand,
  type PublishBatchRequestEntry,
  PublishCommand,
} from '@aws-sdk/client-sns';
import {
  BatchRequestTooLong,
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type MessageAttributeValue,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
} from '@aws-sdk/client-sqs';
import { waitFor } from '@changeflow/test-support';
import { describe, expect, it } from 'vitest';
import {
  EVENTUAL_TIMEOUT_MS,
  knownGapOfLocalEmulator,
  md5OfMessageAttributes,
  queueCounts,
  receiveMessages,
  receiveNothing,
} from './conformance-helpers.js';
import { useConformanceAws } from './use-conformance-aws.js';

// Pins the batch calls the publisher and the worker runtime make, and the size limits the publisher
// packs changes against: what is accepted, what fails per entry, and what fails the whole call.
const aws = useConformanceAws('batches');

/** SNS's limit for one message, and for all the messages of one PublishBatch together: 256 KiB. */
const SNS_MAX_BYTES = 262_144;
/** SQS's limit for one SendMessageBatch together: 1 MiB since August 2025 (256 KiB before). */
const SQS_MAX_BATCH_BYTES = 1_048_576;

const objectType = (value: string): Record<string, MessageAttributeValue> => ({
  objectType: { DataType: 'String', StringValue: value },
});

describe('PublishBatch', () => {
  it('publishes 10 entries in one call, each delivered with its attributes', async () => {
    const { sns, sqs } = aws();
    const topicArn = await aws().createTopic('ten');
    const queue = await aws().createQueue('ten');
    await aws().subscribeQueue(topicArn, queue, { isRawDelivery: true });

    const entries: PublishBatchRequestEntry[] = Array.from({ length: 10 }, (_, index) => ({
      Id: `change-${index}`,
      Message: `body-${index}`,
      MessageAttributes: objectType(`type-${index}`),
    }));
    const published = await sns.send(
      new PublishBatchCommand({ TopicArn: topicArn, PublishBatchRequestEntries: entries }),
    );
    expect(published.Failed ?? []).toEqual([]);
    expect(published.Successful?.map((entry) => entry.Id).sort()).toEqual(entries.map((entry) => entry.Id).sort());
    expect(published.Successful?.every((entry) => typeof entry.MessageId === 'string')).toBe(true);

    const received = await receiveMessages(sqs, queue.url, { count: 10 });
    const byBody = new Map(received.map((message) => [message.Body, message]));
    for (let index = 0; index < 10; index += 1) {
      expect(byBody.get(`body-${index}`)?.MessageAttributes).toEqual(objectType(`type-${index}`));
    }
  });

  it('accepts 10 entries whose total stays within 256 KiB', async () => {
    const topicArn = await aws().createTopic('near-limit');
    const entryBytes = Math.floor(SNS_MAX_BYTES / 10) - 200;
    const published = await aws().sns.send(
      new PublishBatchCommand({
        TopicArn: topicArn,
        PublishBatchRequestEntries: Array.from({ length: 10 }, (_, index) => ({
          Id: `e${index}`,
          Message: 'x'.repeat(entryBytes),
        })),
      }),
    );
    expect(published.Failed ?? []).toEqual([]);
    expect(published.Successful).toHaveLength(10);
  });

  knownGapOfLocalEmulator('fauxqs 2.4.1 does not check the total size of a PublishBatch')(
    'rejects the whole call when the entries together exceed 256 KiB',
    async () => {
      const topicArn = await aws().createTopic('over-total');
      const half = 'x'.repeat(SNS_MAX_BYTES / 2 + 1);
      await expect(
        aws().sns.send(
          new PublishBatchCommand({
            TopicArn: topicArn,
            PublishBatchRequestEntries: [
              { Id: 'a', Message: half },
              { Id: 'b', Message: half },
            ],
          }),
        ),
      ).rejects.toBeInstanceOf(BatchRequestTooLongException);
    },
  );

  knownGapOfLocalEmulator('fauxqs 2.4.1 fails an entry over 256 KiB per entry (InvalidParameter), not the call')(
    'rejects the whole call when one entry alone exceeds 256 KiB',
    async () => {
      const topicArn = await aws().createTopic('over-entry');
      await expect(
        aws().sns.send(
          new PublishBatchCommand({
            TopicArn: topicArn,
            PublishBatchRequestEntries: [
              { Id: 'big', Message: 'x'.repeat(SNS_MAX_BYTES + 1) },
              { Id: 'small', Message: 'small' },
            ],
          }),
        ),
      ).rejects.toBeInstanceOf(BatchRequestTooLongException);
    },
  );
});

describe('Publish size limit', () => {
  it('accepts a message of exactly 256 KiB', async () => {
    const topicArn = await aws().createTopic('exact');
    const published = await aws().sns.send(
      new PublishCommand({ TopicArn: topicArn, Message: 'x'.repeat(SNS_MAX_BYTES) }),
    );
    expect(published.MessageId).toEqual(expect.any(String));
  });

  it('rejects a message one byte over 256 KiB with InvalidParameterException', async () => {
    const topicArn = await aws().createTopic('over');
    // Bytes, not characters: 'é' is two bytes in UTF-8.
    const message = `${'é'.repeat(SNS_MAX_BYTES / 2)}x`;
    await expect(aws().sns.send(new PublishCommand({ TopicArn: topicArn, Message: message }))).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
  });
});

describe('SendMessageBatch', () => {
  it('sends 10 entries, answering each with the MD5 digests of its body and attributes', async () => {
    const { sqs } = aws();
    const queue = await aws().createQueue('send-ten');
    const entries: SendMessageBatchRequestEntry[] = Array.from({ length: 10 }, (_, index) => ({
      Id: `m${index}`,
      MessageBody: `body-${index}`,
      MessageAttributes: objectType(`type-${index}`),
    }));
    // The SDK checks each entry's MD5OfMessageBody itself and throws on a mismatch.
    const sent = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queue.url, Entries: entries }));
    expect(sent.Failed ?? []).toEqual([]);
    expect(sent.Successful).toHaveLength(10);
    for (const entry of sent.Successful ?? []) {
      const index = Number(entry.Id?.slice(1));
      expect(entry.MD5OfMessageAttributes).toBe(md5OfMessageAttributes(objectType(`type-${index}`)));
    }
    const received = await receiveMessages(sqs, queue.url, { count: 10 });
    expect(received.map((message) => message.Body).sort()).toEqual(entries.map((entry) => entry.MessageBody).sort());
  });

  it('fails an entry with characters SQS does not allow, per entry, and sends the others', async () => {
    const { sqs } = aws();
    const queue = await aws().createQueue('send-partial');
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: [
          { Id: 'good1', MessageBody: 'good-1' },
          { Id: 'bad', MessageBody: 'nul \u0000 is not allowed' },
          { Id: 'good2', MessageBody: 'good-2' },
        ],
      }),
    );
    expect(sent.Successful?.map((entry) => entry.Id).sort()).toEqual(['good1', 'good2']);
    expect(sent.Failed).toEqual([
      expect.objectContaining({ Id: 'bad', Code: 'InvalidMessageContents', SenderFault: true }),
    ]);
    const received = await receiveMessages(sqs, queue.url, { count: 2 });
    expect(received.map((message) => message.Body).sort()).toEqual(['good-1', 'good-2']);
  });

  it('rejects the whole call with BatchRequestTooLong when the entries together exceed the limit', async () => {
    const queue = await aws().createQueue('send-too-long');
    const entryBody = 'x'.repeat(Math.ceil(SQS_MAX_BATCH_BYTES / 10) + 1_000);
    await expect(
      aws().sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queue.url,
          Entries: Array.from({ length: 10 }, (_, index) => ({ Id: `m${index}`, MessageBody: entryBody })),
        }),
      ),
    ).rejects.toBeInstanceOf(BatchRequestTooLong);
    expect(await receiveNothing(aws().sqs, queue.url)).toEqual([]);
  });
});

describe('DeleteMessageBatch', () => {
  it('deletes every entry it names', async () => {
    const { sqs } = aws();
    const queue = await aws().createQueue('delete');
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: ['a', 'b', 'c'].map((body) => ({ Id: body, MessageBody: body })),
      }),
    );
    const received = await receiveMessages(sqs, queue.url, { count: 3, shouldDelete: false });
    const deleted = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: received.map((message, index) => ({ Id: `d${index}`, ReceiptHandle: message.ReceiptHandle })),
      }),
    );
    expect(deleted.Failed ?? []).toEqual([]);
    expect(deleted.Successful).toHaveLength(3);
    await waitFor(
      async () => {
        const counts = await queueCounts(sqs, queue.url);
        return counts.visible === 0 && counts.notVisible === 0;
      },
      { timeoutMs: EVENTUAL_TIMEOUT_MS, description: 'an empty queue after DeleteMessageBatch' },
    );
  });

  knownGapOfLocalEmulator('fauxqs 2.4.1 reports every DeleteMessageBatch entry successful, even a malformed handle')(
    'fails a malformed receipt handle per entry with ReceiptHandleIsInvalid and deletes the rest',
    async () => {
      const { sqs } = aws();
      const queue = await aws().createQueue('delete-partial');
      await sqs.send(new SendMessageBatchCommand({ QueueUrl: queue.url, Entries: [{ Id: 'a', MessageBody: 'a' }] }));
      const [message] = await receiveMessages(sqs, queue.url, { count: 1, shouldDelete: false });
      const deleted = await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queue.url,
          Entries: [
            { Id: 'good', ReceiptHandle: message?.ReceiptHandle },
            { Id: 'bad', ReceiptHandle: 'not-a-receipt-handle' },
          ],
        }),
      );
      expect(deleted.Successful).toEqual([{ Id: 'good' }]);
      expect(deleted.Failed).toEqual([
        expect.objectContaining({ Id: 'bad', Code: 'ReceiptHandleIsInvalid', SenderFault: true }),
      ]);
    },
  );
});

describe('ChangeMessageVisibilityBatch', () => {
  it('changes the visibility of each entry and fails a malformed receipt handle per entry', async () => {
    const { sqs } = aws();
    const queue = await aws().createQueue('visibility', { VisibilityTimeout: '60' });
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: ['a', 'b'].map((body) => ({ Id: body, MessageBody: body })),
      }),
    );
    const received = await receiveMessages(sqs, queue.url, { count: 2, shouldDelete: false });
    const changed = await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queue.url,
        Entries: [
          ...received.map((message, index) => ({
            Id: `v${index}`,
            ReceiptHandle: message.ReceiptHandle,
            VisibilityTimeout: 0,
          })),
          { Id: 'bad', ReceiptHandle: 'not-a-receipt-handle', VisibilityTimeout: 0 },
        ],
      }),
    );
    expect(changed.Successful?.map((entry) => entry.Id).sort()).toEqual(['v0', 'v1']);
    expect(changed.Failed).toEqual([
      expect.objectContaining({ Id: 'bad', Code: 'ReceiptHandleIsInvalid', SenderFault: true }),
    ]);
    // Visibility 0 released both at once, well inside the queue's 60 s timeout.
    const again = await receiveMessages(sqs, queue.url, { count: 2, timeoutMs: 10_000 });
    expect(again.map((message) => message.Body).sort()).toEqual(['a', 'b']);
    expect(again.map((message) => message.Attributes?.ApproximateReceiveCount)).toEqual(['2', '2']);
  });
});
