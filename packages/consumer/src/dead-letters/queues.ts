import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import {
  findQueueUrl as findSqsQueueUrl,
  type QueueDepth,
  QueueMissingError,
  queueDepth as readQueueDepth,
} from '@changeflow/aws';
import { explainAwsError } from '@changeflow/errors';
import type { WorkerDeclaration } from '../define-worker.js';
import { type WorkerTopology, workerTopology } from '../topology.js';

export type { QueueDepth } from '@changeflow/aws';

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

/** The URL of queue `name`, or `undefined` when it does not exist. Other failures say what to check. */
export async function findQueueUrl(access: SqsAccess, name: string): Promise<string | undefined> {
  return sendOrExplain(access, `look up queue ${name}`, () => findSqsQueueUrl(access.sqs, name));
}

/**
 * The queue and DLQ of `worker` under `prefix`. A missing one raises `QueueMissingError` saying to
 * provision the topology.
 */
export async function resolveWorkerQueues(
  access: SqsAccess,
  worker: WorkerDeclaration,
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
  return sendOrExplain(access, `read the attributes of ${queueUrl}`, () => readQueueDepth(access.sqs, queueUrl));
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
