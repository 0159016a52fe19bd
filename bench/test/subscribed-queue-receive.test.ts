import { CreateTopicCommand, DeleteTopicCommand, PublishCommand } from '@aws-sdk/client-sns';
import { createAwsClients } from '@changeflow/aws';
import { testAwsClients, uniquePrefix } from '@changeflow/test-support';
import { createSubscribedQueue } from '@changeflow/test-support/queues';
import { describe, expect, inject, it } from 'vitest';

describe("the soak audit's receive", () => {
  it('returns what it received when the delete after it fails, so a witness does not drop a publish', async () => {
    const aws = testAwsClients();
    // The same local SNS/SQS, but every DeleteMessageBatch fails as when the endpoint dies after the receive.
    const failingDeletes = createAwsClients({ endpoint: inject('awsEndpoint'), region: process.env.AWS_REGION });
    failingDeletes.sqs.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'DeleteMessageBatchCommand') throw new Error('connection reset after the delete');
        return next(args);
      },
      { step: 'initialize', name: 'failDeletes' },
    );
    const prefix = uniquePrefix('audit-receive');
    const { TopicArn } = await aws.sns.send(new CreateTopicCommand({ Name: `${prefix}-topic` }));
    if (!TopicArn) throw new Error('CreateTopic answered without a TopicArn');
    const queue = await createSubscribedQueue({ sns: aws.sns, sqs: failingDeletes.sqs }, `${prefix}-queue`, [TopicArn]);
    try {
      await aws.sns.send(new PublishCommand({ TopicArn, Message: 'witnessed' }));
      const received = [];
      while (received.length === 0) received.push(...(await queue.receive(1)));
      expect(received.map((message) => message.Body)).toEqual(['witnessed']);
    } finally {
      await queue.delete();
      await aws.sns.send(new DeleteTopicCommand({ TopicArn }));
      aws.destroy();
      failingDeletes.destroy();
    }
  });
});
