import { explainPostgresError } from '@changeflow/errors';
import type { Kysely } from 'kysely';
import type { WorkerDeclaration } from '../define-worker.js';
import { type FailedMessage, listDeadLettered } from '../queries/failed-messages.js';
import type { ConsumerDatabase } from '../schema.js';
import { workerTopology } from '../topology.js';
import { findWorker } from './find-worker.js';
import { findQueueUrl, type QueueDepth, queueDepth, type SqsAccess } from './queues.js';

/** What `dlq list` reads from. */
export interface DlqListDependencies {
  db: Kysely<ConsumerDatabase>;
  databaseUrl: string;
  sqs: SqsAccess;
  workers: readonly WorkerDeclaration[];
  prefix: string;
}

export interface DlqListOptions {
  worker: string;
  /**
   * Rows shown at most, most recent failure first.
   * @defaultValue 100
   */
  limit?: number;
}

/** The result of `changeflow dlq list`. */
export interface DlqListResult {
  worker: string;
  deadLetterQueue: string;
  /** The DLQ's approximate counts; `null` when the DLQ does not exist. */
  deadLetterQueueDepth: QueueDepth | null;
  /** Dead-lettered rows recorded in `failed_messages` for the worker. */
  total: number;
  /** The first `limit` of them. */
  messages: FailedMessage[];
}

/**
 * The worker's dead-lettered messages as `failed_messages` records them: change numbers, object type
 * and ids, the reason, attempts, first and last failure. The DLQ's own count is shown beside them,
 * since SQS's redrive can dead-letter a message whose last failure was not recorded (a crashed worker).
 */
export async function listDeadLetters(deps: DlqListDependencies, options: DlqListOptions): Promise<DlqListResult> {
  const worker = findWorker(deps.workers, options.worker);
  const names = workerTopology(worker, deps.prefix);
  let rows: { total: number; messages: FailedMessage[] };
  try {
    rows = await listDeadLettered(deps.db, worker.name, options.limit ?? 100);
  } catch (err) {
    throw explainPostgresError(err, deps.databaseUrl);
  }
  const url = await findQueueUrl(deps.sqs, names.deadLetterQueueName);
  return {
    worker: worker.name,
    deadLetterQueue: names.deadLetterQueueName,
    deadLetterQueueDepth: url ? await queueDepth(deps.sqs, url) : null,
    total: rows.total,
    messages: rows.messages,
  };
}
