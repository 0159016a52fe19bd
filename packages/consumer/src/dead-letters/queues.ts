import { GetQueueAttributesCommand, GetQueueUrlCommand, QueueDoesNotExist, type SQSClient } from '@aws-sdk/client-sqs';
import { explainAwsError, QueueMissingError } from '@changeflow/errors';
import type { WorkerDefinition } from '../define-worker.js';
import { type WorkerTopology, workerTopology } from '../topology.js';

/** The SQS side of dead-letter operations: a client and the endpoint it talks to (for messages). */
export interface SqsAccess {
  sqs: SQSClient;
  /** `undefined` means AWS itself. */
  endpoint: string | undefined;
}

/** A worker's queue and DLQ, looked up. */
export interface WorkerQueues {
  topology: WorkerTopology;
  queueUrl: string;
  deadLetterQueueUrl: string;
}

/** Approximate message counts of one queue, as SQS reports them. */
export interface QueueDepth {
  /** Messages waiting to be received (`ApproximateNumberOfMessages`). */
  visible: number;
  /** Messages received and not yet deleted or made visible again (`ApproximateNumberOfMessagesNotVisible`). */
  inFlight: number;
  /** Messages sent with a delay that has not passed (`ApproximateNumberOfMessagesDelayed`). */
  delayed: number;
}

/** The URL of queue `name`, or `undefined` when it does not exist. Other failures say what to check. */
export async function findQueueUrl(access: SqsAccess, name: string): Promise<string | undefined> {
  try {
    const answer = await access.sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    return answer.QueueUrl;
  } catch (err) {
    if (err instanceof QueueDoesNotExist || (err as { name?: string }).name === 'QueueDoesNotExist') return undefined;
    throw explainAwsError(err, access.endpoint, `look up queue ${name}`);
  }
}

/**
 * The queue and DLQ of `worker` under `prefix`. A missing one raises `QueueMissingError` saying to
 * provision the topology.
 */
export async function resolveWorkerQueues(
  access: SqsAccess,
  worker: WorkerDefinition,
  prefix: string,
): Promise<WorkerQueues> {
  const topology = workerTopology(worker, prefix);
  const [queueUrl, deadLetterQueueUrl] = await Promise.all([
    findQueueUrl(access, topology.queueName),
    findQueueUrl(access, topology.deadLetterQueueName),
  ]);
  const missing = [
    queueUrl ? undefined : topology.queueName,
    deadLetterQueueUrl ? undefined : topology.deadLetterQueueName,
  ]
    .filter((name) => name !== undefined)
    .join(' and ');
  if (!queueUrl || !deadLetterQueueUrl) {
    throw new QueueMissingError(
      `queue ${missing} of worker ${worker.name} does not exist (prefix ${prefix}): create the topology with ` +
        '`changeflow topology --apply` (or check CHANGEFLOW_PREFIX / --prefix and AWS_ENDPOINT_URL)',
    );
  }
  return { topology, queueUrl, deadLetterQueueUrl };
}

/** The approximate counts of a queue. */
export async function queueDepth(access: SqsAccess, queueUrl: string): Promise<QueueDepth> {
  const answer = await sendOrExplain(access, `read the attributes of ${queueUrl}`, () =>
    access.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ],
      }),
    ),
  );
  const attributes = answer.Attributes ?? {};
  return {
    visible: Number(attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(attributes.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}

/** The ARN of a queue. */
export async function queueArn(access: SqsAccess, queueUrl: string): Promise<string> {
  const answer = await sendOrExplain(access, `read the ARN of ${queueUrl}`, () =>
    access.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] })),
  );
  const arn = answer.Attributes?.QueueArn;
  if (!arn)
    throw explainAwsError(
      new Error('GetQueueAttributes answered without a QueueArn'),
      access.endpoint,
      'read a queue ARN',
    );
  return arn;
}

/** Runs one SQS call; a failure becomes an error that names the call, the endpoint and what to check. */
export async function sendOrExplain<T>(access: SqsAccess, what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw explainAwsError(err, access.endpoint, what);
  }
}
