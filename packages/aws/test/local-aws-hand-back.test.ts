import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, startLocalAws } from '../src/index.js';

describe('the durable local SNS/SQS, handing a message back', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'changeflow-hand-back-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('keeps a message made visible again with ChangeMessageVisibility 0, before and after a restart', async () => {
    // fauxqs 2.4.1 with a data directory answered 500 here and lost the message: the consumer's
    // hand-back on stop and the CLI's replay both do this.
    let local = await startLocalAws({ dataDir });
    let aws = createAwsClients({ endpoint: local.endpoint, maxAttempts: 1 });
    const { QueueUrl } = await aws.sqs.send(new CreateQueueCommand({ QueueName: 'hand-back' }));
    await aws.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'handed back' }));
    const receive = async () =>
      (
        await aws.sqs.send(
          new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['All'] }),
        )
      ).Messages?.[0];

    const first = await receive();
    expect(first?.Attributes?.ApproximateReceiveCount).toBe('1');
    await aws.sqs.send(
      new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: first?.ReceiptHandle, VisibilityTimeout: 0 }),
    );
    const second = await receive();
    expect(second?.Body).toBe('handed back');
    expect(second?.Attributes?.ApproximateReceiveCount).toBe('2');
    await aws.sqs.send(
      new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: second?.ReceiptHandle, VisibilityTimeout: 0 }),
    );

    aws.destroy();
    await local.close();
    local = await startLocalAws({ dataDir });
    aws = createAwsClients({ endpoint: local.endpoint, maxAttempts: 1 });
    try {
      const third = await receive();
      expect(third?.Body).toBe('handed back');
      expect(third?.Attributes?.ApproximateReceiveCount).toBe('3');
    } finally {
      aws.destroy();
      await local.close();
    }
  });
});
