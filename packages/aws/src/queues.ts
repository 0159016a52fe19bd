import { GetQueueAttributesCommand, GetQueueUrlCommand, QueueDoesNotExist, type SQSClient } from '@aws-sdk/client-sqs';

/** Approximate message counts of one queue, as SQS reports them. */
export interface QueueDepth {
  /** Messages waiting to be received (`ApproximateNumberOfMessages`). */
  visible: number;
  /** Messages received and not yet deleted or made visible again (`ApproximateNumberOfMessagesNotVisible`). */
  inFlight: number;
  /** Messages sent with a delay that has not passed (`ApproximateNumberOfMessagesDelayed`). */
  delayed: number;
}

/**
 * The URL of queue `name`, or `undefined` when it does not exist. Any other failure (unreachable
 * endpoint, credentials) is thrown as the SDK raised it, for the caller to explain.
 *
 * @example
 * const url = await findQueueUrl(sqs, 'changeflow-reval-index');
 */
export async function findQueueUrl(
  sqs: SQSClient,
  name: string,
  options: { abortSignal?: AbortSignal } = {},
): Promise<string | undefined> {
  try {
    const answer = await sqs.send(new GetQueueUrlCommand({ QueueName: name }), options);
    return answer.QueueUrl;
  } catch (err) {
    // Some emulators raise a plain error named like the SDK's class.
    if (err instanceof QueueDoesNotExist || (err as { name?: string }).name === 'QueueDoesNotExist') return undefined;
    throw err;
  }
}

/**
 * The approximate counts of a queue, in one `GetQueueAttributes` call.
 *
 * @example
 * const { visible, inFlight } = await queueDepth(sqs, url);
 */
export async function queueDepth(
  sqs: SQSClient,
  queueUrl: string,
  options: { abortSignal?: AbortSignal } = {},
): Promise<QueueDepth> {
  const answer = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
    options,
  );
  const attributes = answer.Attributes ?? {};
  return {
    visible: Number(attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(attributes.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}

// One class for a missing queue, wherever it is found missing (it lives with the other error classes).
export { QueueMissingError } from '@changeflow/errors';
