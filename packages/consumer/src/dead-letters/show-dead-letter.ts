import { explainPostgresError, UsageError } from '@changeflow/errors';
import type { Kysely } from 'kysely';
import type { WorkerDeclaration } from '../define-worker.js';
import { type FailedMessage, findFailedMessages } from '../queries/failed-messages.js';
import type { ConsumerDatabase } from '../schema.js';
import { type DeadLetter, DeadLetterQueue, describeDeadLetter } from './dead-letter-queue.js';
import { findWorker } from './find-worker.js';
import { resolveWorkerQueues, type SqsAccess } from './queues.js';

/** What `dlq show` reads from. */
export interface DlqShowDependencies {
  db: Kysely<ConsumerDatabase>;
  databaseUrl: string;
  sqs: SqsAccess;
  workers: readonly WorkerDeclaration[];
  prefix: string;
}

export interface DlqShowOptions {
  worker: string;
  /** The original message id (`failed_messages.message_id`) or the id of the message in the DLQ. */
  messageId: string;
  /**
   * DLQ messages looked at, at most, while searching for this one.
   * @defaultValue 1000
   */
  maxScan?: number;
}

/** The result of `changeflow dlq show`. */
export interface DlqShowResult {
  worker: string;
  messageId: string;
  /** The `failed_messages` row, or `null` when none was recorded. */
  failure: FailedMessage | null;
  /** The message as it sits in the DLQ (attributes, body), or `null` when it was not found there. */
  deadLetter: Record<string, unknown> | null;
  /** DLQ messages looked at during the search. */
  scanned: number;
}

/** How long messages looked at stay invisible during the search; all are handed back at its end. */
const SCAN_VISIBILITY_SECONDS = 60;

/**
 * One dead-lettered message in full: its `failed_messages` row and, when it is still in the DLQ, the
 * message's attributes and body. Searching the DLQ receives messages and hands every one back
 * (visibility 0) at the end; nothing is deleted. A `UsageError` says when neither exists.
 */
export async function showDeadLetter(deps: DlqShowDependencies, options: DlqShowOptions): Promise<DlqShowResult> {
  const worker = findWorker(deps.workers, options.worker);
  const queues = await resolveWorkerQueues(deps.sqs, worker, deps.prefix);
  const found = await findInDeadLetterQueue(
    new DeadLetterQueue(deps.sqs, queues),
    options.messageId,
    options.maxScan ?? 1000,
  );
  const ids = [...new Set([options.messageId, found.letter?.originalMessageId].filter((id) => id !== undefined))];
  let rows: Map<string, FailedMessage>;
  try {
    rows = await findFailedMessages(deps.db, worker.name, ids);
  } catch (err) {
    throw explainPostgresError(err, deps.databaseUrl);
  }
  const failure = ids.map((id) => rows.get(id)).find((row) => row !== undefined) ?? null;
  if (!failure && !found.letter) {
    throw new UsageError(
      `no failure recorded and no message in ${queues.topology.deadLetterQueueName} with id ${options.messageId} ` +
        `(looked at ${found.scanned} message(s)): list the ids with \`changeflow dlq list ${worker.name}\``,
    );
  }
  return {
    worker: worker.name,
    messageId: options.messageId,
    failure,
    deadLetter: found.letter ? describeDeadLetter(found.letter) : null,
    scanned: found.scanned,
  };
}

/** Receives from the DLQ until the message turns up or nothing new does, then hands everything back. */
async function findInDeadLetterQueue(
  dlq: DeadLetterQueue,
  messageId: string,
  maxScan: number,
): Promise<{ letter: DeadLetter | undefined; scanned: number }> {
  const handles = new Map<string, string>();
  let letter: DeadLetter | undefined;
  try {
    while (handles.size < maxScan && !letter) {
      const batch = await dlq.receive(10, SCAN_VISIBILITY_SECONDS, 1);
      const fresh = batch.filter((candidate) => !handles.has(candidate.messageId));
      for (const candidate of batch) {
        if (candidate.message.ReceiptHandle) handles.set(candidate.messageId, candidate.message.ReceiptHandle);
      }
      letter = batch.find(
        (candidate) => candidate.messageId === messageId || candidate.originalMessageId === messageId,
      );
      if (fresh.length === 0) break;
    }
  } finally {
    await dlq.release([...handles.values()]);
  }
  return { letter, scanned: handles.size };
}
