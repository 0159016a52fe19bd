import { setTimeout as sleep } from 'node:timers/promises';
import {
  CancelMessageMoveTaskCommand,
  ListMessageMoveTasksCommand,
  type ListMessageMoveTasksResultEntry,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { ChangeflowError, explainAwsError, toError } from '@changeflow/errors';
import type { Progress } from '@changeflow/outbox';
import type { Kysely } from 'kysely';
import { clearDeadLetteredBefore } from '../queries/failed-messages.js';
import type { ConsumerDatabase } from '../schema.js';
import { queueArn, type SqsAccess, sendOrExplain, type WorkerQueues } from './queues.js';
import { type DlqReplayResult, emptyReplayResult } from './replay-dead-letters.js';

/** The endpoint does not implement StartMessageMoveTask (LocalStack, the local SNS/SQS). */
export class MoveTaskUnsupportedError extends ChangeflowError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MOVE_TASK_UNSUPPORTED', message, options);
  }
}

/** What a move task works with. */
export interface MoveTaskDependencies {
  db: Kysely<ConsumerDatabase>;
  sqs: SqsAccess;
  progress: Progress;
  worker: string;
  queues: WorkerQueues;
  signal?: AbortSignal;
  /**
   * How often the task's progress is read, in ms.
   * @defaultValue 1000
   */
  pollIntervalMs?: number;
}

/** SQS's bounds on `MaxNumberOfMessagesPerSecond`. */
const MAX_MOVE_RATE = 500;

/**
 * Moves every message of the DLQ back to the worker's queue with SQS's own StartMessageMoveTask and
 * follows it to its end; a signal cancels the task. SQS moves messages at-least-once itself. Rows of
 * `failed_messages` that failed before the task started are then marked as out of the DLQ.
 */
export async function runMoveTask(
  deps: MoveTaskDependencies,
  ratePerSecond: number | undefined,
): Promise<DlqReplayResult> {
  const { queues, sqs } = deps;
  const [sourceArn, destinationArn] = await Promise.all([
    queueArn(sqs, queues.deadLetterQueueUrl),
    queueArn(sqs, queues.queueUrl),
  ]);
  const startedAt = new Date();
  let handle: string | undefined;
  try {
    const answer = await sqs.sqs.send(
      new StartMessageMoveTaskCommand({
        SourceArn: sourceArn,
        DestinationArn: destinationArn,
        MaxNumberOfMessagesPerSecond:
          ratePerSecond === undefined ? undefined : Math.min(MAX_MOVE_RATE, Math.max(1, Math.round(ratePerSecond))),
      }),
      { abortSignal: deps.signal },
    );
    handle = answer.TaskHandle;
  } catch (err) {
    const cause = toError(err);
    if (/InvalidAction|UnsupportedOperation|Unknown action|not implemented/i.test(`${cause.name} ${cause.message}`)) {
      throw new MoveTaskUnsupportedError(
        `StartMessageMoveTask is not supported by ${sqs.endpoint ?? 'this endpoint'} (${cause.message}): ` +
          'use --method receive-send',
        { cause },
      );
    }
    throw explainAwsError(err, sqs.endpoint, `start a message move task from ${queues.topology.deadLetterQueueName}`);
  }
  const result = emptyReplayResult(deps.worker, queues, 'move-task', false, 1);

  const task = deps.progress.start(`moving ${queues.topology.deadLetterQueueName}`, 0);
  let entry: ListMessageMoveTasksResultEntry | undefined;
  try {
    for (;;) {
      if (deps.signal?.aborted && handle) {
        await sqs.sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: handle })).catch(() => {});
        result.interrupted = true;
      }
      const list = await sendOrExplain(sqs, `follow the move task of ${queues.topology.deadLetterQueueName}`, () =>
        sqs.sqs.send(new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 10 })),
      );
      entry = (list.Results ?? []).find((candidate) => candidate.TaskHandle === handle) ?? list.Results?.[0];
      const moved = entry?.ApproximateNumberOfMessagesMoved ?? 0;
      task.setTotal(entry?.ApproximateNumberOfMessagesToMove ?? moved);
      task.increment(moved - result.moved, entry?.Status ?? '');
      result.moved = moved;
      if (result.interrupted || (entry?.Status !== 'RUNNING' && entry?.Status !== 'CANCELLING')) break;
      await sleep(deps.pollIntervalMs ?? 1000, undefined, { signal: deps.signal }).catch(() => {});
    }
  } finally {
    task.stop();
  }
  result.matched = entry?.ApproximateNumberOfMessagesToMove ?? result.moved;
  if (entry?.Status === 'FAILED') {
    result.failed = Math.max(1, result.matched - result.moved);
    result.errors.push(entry.FailureReason ?? 'the move task failed');
  }
  if (entry?.Status === 'COMPLETED') await clearDeadLetteredBefore(deps.db, deps.worker, startedAt);
  return result;
}
