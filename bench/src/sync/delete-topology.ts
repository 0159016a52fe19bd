import { DeleteTopicCommand, ListTopicsCommand } from '@aws-sdk/client-sns';
import { DeleteQueueCommand, ListQueuesCommand } from '@aws-sdk/client-sqs';
import type { AwsClients } from '@changeflow/aws';

/** Pages of ListTopics read at most (100 topics each): every loop is bounded. */
const MAX_TOPIC_PAGES = 100;
/** Each call's own time limit. */
const CALL_TIMEOUT_MS = 10_000;

/**
 * Deletes every topic and queue named `<prefix>-…`: the sync worker's queue and DLQ the runtime
 * provisioned, and the topics the outbox created while loading. Throws if any deletion failed.
 */
export async function deleteTopology(aws: AwsClients, prefix: string): Promise<void> {
  const deadline = () => ({ abortSignal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
  const topicArns: string[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_TOPIC_PAGES; page += 1) {
    const answer = await aws.sns.send(new ListTopicsCommand({ NextToken: nextToken }), deadline());
    for (const topic of answer.Topics ?? []) {
      if (topic.TopicArn?.split(':').at(-1)?.startsWith(`${prefix}-`)) topicArns.push(topic.TopicArn);
    }
    nextToken = answer.NextToken;
    if (!nextToken) break;
  }
  const queues = await aws.sqs.send(new ListQueuesCommand({ QueueNamePrefix: `${prefix}-` }), deadline());
  const results = await Promise.allSettled([
    ...(queues.QueueUrls ?? []).map((QueueUrl) => aws.sqs.send(new DeleteQueueCommand({ QueueUrl }), deadline())),
    ...topicArns.map((TopicArn) => aws.sns.send(new DeleteTopicCommand({ TopicArn }), deadline())),
  ]);
  const failed = results.filter((result) => result.status === 'rejected');
  if (failed.length > 0) {
    throw new AggregateError(
      failed.map((result) => result.reason),
      `cannot delete ${failed.length} of the benchmark's queues and topics (names ${prefix}-*)`,
    );
  }
}
