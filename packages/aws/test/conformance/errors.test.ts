import {
  BatchEntryIdsNotDistinctException,
  EmptyBatchRequestException,
  GetTopicAttributesCommand,
  InvalidBatchEntryIdException,
  InvalidParameterException,
  InvalidParameterValueException,
  NotFoundException,
  PublishBatchCommand,
  PublishCommand,
  TooManyEntriesInBatchRequestException,
} from '@aws-sdk/client-sns';
import {
  BatchEntryIdsNotDistinct,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  EmptyBatchRequest,
  GetQueueUrlCommand,
  InvalidAttributeValue,
  InvalidBatchEntryId,
  QueueDoesNotExist,
  QueueNameExists,
  ReceiptHandleIsInvalid,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSServiceException,
  TooManyEntriesInBatchRequest,
} from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { knownGapOfLocalEmulator } from './conformance-helpers.js';
import { useConformanceAws } from './use-conformance-aws.js';

// Pins how failures reach Changeflow: as the SDK's typed exceptions, which callers branch on with
// `instanceof`. Where the local emulator's error does not map to the typed class, the case is a
// known gap, and Changeflow must not branch on anything finer than what both give.
const aws = useConformanceAws('errors');

/**
 * Gap: the SDK maps an SQS error through its legacy query code in the `x-amzn-query-error` header.
 * fauxqs 2.4.1 prefixes every such code with `AWS.SimpleQueueService.`, which is right for some
 * (`NonExistentQueue`, the batch errors) and wrong for others (`QueueAlreadyExists`,
 * `InvalidAttributeValue`, `ReceiptHandleIsInvalid`, `InvalidParameterValue`): those arrive as a plain
 * `SQSServiceException` named `AWS.SimpleQueueService.<code>`.
 */
const PREFIXED_QUERY_CODE =
  'fauxqs 2.4.1 prefixes every SQS query error code with AWS.SimpleQueueService., so the SDK cannot map this one';

const tenEntriesAndOneMore = Array.from({ length: 11 }, (_, index) => ({ Id: `e${index}`, body: `m${index}` }));

describe('SQS errors', () => {
  it('rejects a lookup of a missing queue with QueueDoesNotExist', async () => {
    const { sqs, prefix } = aws();
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: `${prefix}-missing` }))).rejects.toBeInstanceOf(
      QueueDoesNotExist,
    );
  });

  it('rejects a receive from a missing queue URL with QueueDoesNotExist', async () => {
    const { sqs, prefix } = aws();
    const queue = await aws().createQueue('present');
    const missingUrl = queue.url.replace(/[^/]+$/, `${prefix}-absent`);
    await expect(sqs.send(new ReceiveMessageCommand({ QueueUrl: missingUrl }))).rejects.toBeInstanceOf(
      QueueDoesNotExist,
    );
  });

  it('rejects a batch of 11 with TooManyEntriesInBatchRequest', async () => {
    const queue = await aws().createQueue('too-many');
    await expect(
      aws().sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queue.url,
          Entries: tenEntriesAndOneMore.map((entry) => ({ Id: entry.Id, MessageBody: entry.body })),
        }),
      ),
    ).rejects.toBeInstanceOf(TooManyEntriesInBatchRequest);
  });

  it('rejects a batch with repeated entry ids with BatchEntryIdsNotDistinct', async () => {
    const queue = await aws().createQueue('not-distinct');
    await expect(
      aws().sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queue.url,
          Entries: [
            { Id: 'same', MessageBody: 'a' },
            { Id: 'same', MessageBody: 'b' },
          ],
        }),
      ),
    ).rejects.toBeInstanceOf(BatchEntryIdsNotDistinct);
  });

  it('rejects an empty batch with EmptyBatchRequest', async () => {
    const queue = await aws().createQueue('empty-batch');
    await expect(
      aws().sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queue.url, Entries: [] })),
    ).rejects.toBeInstanceOf(EmptyBatchRequest);
  });

  it('rejects a batch entry id outside [A-Za-z0-9_-] with InvalidBatchEntryId', async () => {
    const queue = await aws().createQueue('bad-entry-id');
    await expect(
      aws().sqs.send(
        new SendMessageBatchCommand({ QueueUrl: queue.url, Entries: [{ Id: 'change:1', MessageBody: 'a' }] }),
      ),
    ).rejects.toBeInstanceOf(InvalidBatchEntryId);
  });

  it('rejects an out-of-range parameter as a client fault', async () => {
    const queue = await aws().createQueue('out-of-range');
    await expect(
      aws().sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.url, MaxNumberOfMessages: 11 })),
    ).rejects.toSatisfy((err) => err instanceof SQSServiceException && err.$fault === 'client');
  });

  knownGapOfLocalEmulator(PREFIXED_QUERY_CODE)('names an out-of-range parameter InvalidParameterValue', async () => {
    const queue = await aws().createQueue('out-of-range-named');
    await expect(
      aws().sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.url, MaxNumberOfMessages: 11 })),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });

  knownGapOfLocalEmulator(PREFIXED_QUERY_CODE)(
    'rejects re-creating a queue with a different attribute value with QueueNameExists',
    async () => {
      const queue = await aws().createQueue('conflict', { VisibilityTimeout: '30' });
      await expect(
        aws().sqs.send(new CreateQueueCommand({ QueueName: queue.name, Attributes: { VisibilityTimeout: '31' } })),
      ).rejects.toBeInstanceOf(QueueNameExists);
    },
  );

  knownGapOfLocalEmulator(PREFIXED_QUERY_CODE)(
    'rejects an out-of-range queue attribute with InvalidAttributeValue',
    async () => {
      const { sqs, prefix } = aws();
      await expect(
        sqs.send(
          new CreateQueueCommand({ QueueName: `${prefix}-bad-attribute`, Attributes: { VisibilityTimeout: '43201' } }),
        ),
      ).rejects.toBeInstanceOf(InvalidAttributeValue);
    },
  );

  knownGapOfLocalEmulator('fauxqs 2.4.1 accepts any receipt handle on DeleteMessage, even a malformed one')(
    'rejects a malformed receipt handle on DeleteMessage with ReceiptHandleIsInvalid',
    async () => {
      const queue = await aws().createQueue('bad-handle');
      await aws().sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'a' }));
      await expect(
        aws().sqs.send(new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: 'not-a-receipt-handle' })),
      ).rejects.toBeInstanceOf(ReceiptHandleIsInvalid);
    },
  );
});

describe('SNS errors', () => {
  it('rejects a publish to a missing topic with NotFoundException', async () => {
    const topicArn = await aws().createTopic('present');
    await expect(
      aws().sns.send(new PublishCommand({ TopicArn: `${topicArn}-absent`, Message: 'lost' })),
    ).rejects.toBeInstanceOf(NotFoundException);
  });

  it('rejects reading a missing topic with NotFoundException', async () => {
    const topicArn = await aws().createTopic('read');
    await expect(
      aws().sns.send(new GetTopicAttributesCommand({ TopicArn: `${topicArn}-absent` })),
    ).rejects.toBeInstanceOf(NotFoundException);
  });

  it('rejects an empty message with InvalidParameterException', async () => {
    const topicArn = await aws().createTopic('empty');
    await expect(aws().sns.send(new PublishCommand({ TopicArn: topicArn, Message: '' }))).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
  });

  knownGapOfLocalEmulator('fauxqs 2.4.1 does not validate SNS message attribute values')(
    'rejects a message attribute with an empty value with InvalidParameterValueException',
    async () => {
      const topicArn = await aws().createTopic('empty-attribute');
      await expect(
        aws().sns.send(
          new PublishCommand({
            TopicArn: topicArn,
            Message: 'm',
            MessageAttributes: { userId: { DataType: 'String', StringValue: '' } },
          }),
        ),
      ).rejects.toBeInstanceOf(InvalidParameterValueException);
    },
  );

  it('rejects a PublishBatch of 11 with TooManyEntriesInBatchRequestException', async () => {
    const topicArn = await aws().createTopic('too-many');
    await expect(
      aws().sns.send(
        new PublishBatchCommand({
          TopicArn: topicArn,
          PublishBatchRequestEntries: tenEntriesAndOneMore.map((entry) => ({ Id: entry.Id, Message: entry.body })),
        }),
      ),
    ).rejects.toBeInstanceOf(TooManyEntriesInBatchRequestException);
  });

  it('rejects a PublishBatch with repeated entry ids with BatchEntryIdsNotDistinctException', async () => {
    const topicArn = await aws().createTopic('not-distinct');
    await expect(
      aws().sns.send(
        new PublishBatchCommand({
          TopicArn: topicArn,
          PublishBatchRequestEntries: [
            { Id: 'same', Message: 'a' },
            { Id: 'same', Message: 'b' },
          ],
        }),
      ),
    ).rejects.toBeInstanceOf(BatchEntryIdsNotDistinctException);
  });

  it('rejects an empty PublishBatch with EmptyBatchRequestException', async () => {
    const topicArn = await aws().createTopic('empty-batch');
    await expect(
      aws().sns.send(new PublishBatchCommand({ TopicArn: topicArn, PublishBatchRequestEntries: [] })),
    ).rejects.toBeInstanceOf(EmptyBatchRequestException);
  });

  it('rejects a PublishBatch entry id outside [A-Za-z0-9_-] with InvalidBatchEntryIdException', async () => {
    const topicArn = await aws().createTopic('bad-entry-id');
    await expect(
      aws().sns.send(
        new PublishBatchCommand({
          TopicArn: topicArn,
          PublishBatchRequestEntries: [{ Id: 'change:1', Message: 'a' }],
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidBatchEntryIdException);
  });
});
