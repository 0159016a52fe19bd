import { type SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/** A queue subscribed to one or more topics with raw delivery, for tests that watch what was published. */
export interface SubscribedQueue {
  readonly url: string;
  readonly arn: string;
  /**
   * One receive (up to 10 messages), deleting what it got. The messages are returned even when the
   * delete fails: they were received, and SQS only sends them again (at least once). A watcher that
   * dropped them instead would count a change as never published when the endpoint died between its
   * delete and the answer (the soak's kill of the SNS/SQS process did exactly that).
   */
  receive(waitTimeSeconds?: number): Promise<Message[]>;
  delete(): Promise<void>;
}

/** Creates `name`, lets the topics send to it, and subscribes it to each with raw delivery. */
export async function createSubscribedQueue(
  clients: { sns: SNSClient; sqs: SQSClient },
  name: string,
  topicArns: readonly string[],
): Promise<SubscribedQueue> {
  const { QueueUrl: url } = await clients.sqs.send(new CreateQueueCommand({ QueueName: name }));
  if (!url) throw new Error(`CreateQueue ${name} returned no URL`);
  const attributes = await clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  const arn = attributes.Attributes?.QueueArn;
  if (!arn) throw new Error(`queue ${name} has no QueueArn`);
  const policy = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: arn,
        Condition: { ArnEquals: { 'aws:SourceArn': [...topicArns] } },
      },
    ],
  };
  await clients.sqs.send(
    new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { Policy: JSON.stringify(policy) } }),
  );
  for (const topicArn of topicArns) {
    await clients.sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: arn,
        Attributes: { RawMessageDelivery: 'true' },
      }),
    );
  }
  return {
    url,
    arn,
    async receive(waitTimeSeconds = 1) {
      const answer = await clients.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: waitTimeSeconds,
          MessageAttributeNames: ['All'],
        }),
      );
      const messages = answer.Messages ?? [];
      if (messages.length > 0) {
        await clients.sqs
          .send(
            new DeleteMessageBatchCommand({
              QueueUrl: url,
              Entries: messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
            }),
          )
          .catch(() => {});
      }
      return messages;
    },
    async delete() {
      await clients.sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
    },
  };
}
