import { PurgeQueueCommand } from '@aws-sdk/client-sqs';
import { AwsUnreachableError, explainAwsError, explainPostgresError, toError, UsageError } from '@changeflow/errors';
import type { Kysely } from 'kysely';
import type { WorkerDeclaration } from '../define-worker.js';
import { deleteDeadLettered } from '../queries/failed-messages.js';
import type { ConsumerDatabase } from '../schema.js';
import { findWorker } from './find-worker.js';
import { queueDepth, resolveWorkerQueues, type SqsAccess } from './queues.js';

/** What `dlq purge` works with. */
export interface DlqPurgeDependencies {
  db: Kysely<ConsumerDatabase>;
  databaseUrl: string;
  sqs: SqsAccess;
  workers: readonly WorkerDeclaration[];
  prefix: string;
}

export interface DlqPurgeOptions {
  worker: string;
  /** `--yes`: the caller confirmed that the messages go for good. Without it nothing happens. */
  isConfirmed: boolean;
}

/** The result of `changeflow dlq purge`. */
export interface DlqPurgeResult {
  worker: string;
  deadLetterQueue: string;
  /** The DLQ's approximate count just before the purge. */
  purgedApproximately: number;
  /** `failed_messages` rows of the purged messages, deleted with them. */
  recordsDeleted: number;
}

/**
 * Deletes every message in the worker's DLQ for good (SQS PurgeQueue) and the `failed_messages` rows
 * that described them. Refuses with a `UsageError` unless confirmed (`--yes`).
 */
export async function purgeDeadLetters(deps: DlqPurgeDependencies, options: DlqPurgeOptions): Promise<DlqPurgeResult> {
  const worker = findWorker(deps.workers, options.worker);
  const queues = await resolveWorkerQueues(deps.sqs, worker, deps.prefix);
  const dlqName = queues.topology.deadLetterQueueName;
  if (!options.isConfirmed) {
    throw new UsageError(
      `refusing to purge ${dlqName}: this deletes every dead letter of ${worker.name} for good. ` +
        `Replay them instead (\`changeflow dlq replay ${worker.name} --all\`), or confirm with ` +
        `\`changeflow dlq purge ${worker.name} --yes\``,
    );
  }
  const depth = await queueDepth(deps.sqs, queues.deadLetterQueueUrl);
  try {
    await deps.sqs.sqs.send(new PurgeQueueCommand({ QueueUrl: queues.deadLetterQueueUrl }));
  } catch (err) {
    if (toError(err).name === 'PurgeQueueInProgress') {
      throw new AwsUnreachableError(
        `a purge of ${dlqName} is already in progress (SQS allows one a minute): try again in a minute`,
        { cause: err },
      );
    }
    throw explainAwsError(err, deps.sqs.endpoint, `purge ${dlqName}`);
  }
  let recordsDeleted: number;
  try {
    recordsDeleted = await deleteDeadLettered(deps.db, worker.name);
  } catch (err) {
    throw explainPostgresError(err, deps.databaseUrl);
  }
  return {
    worker: worker.name,
    deadLetterQueue: dlqName,
    purgedApproximately: depth.visible + depth.inFlight + depth.delayed,
    recordsDeleted,
  };
}
