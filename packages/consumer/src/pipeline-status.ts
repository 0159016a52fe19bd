import { explainPostgresError } from '@changeflow/errors';
import { type OutboxDatabase, unpublishedStats } from '@changeflow/outbox';
import type { Semaphore, SlotHolder } from '@changeflow/semaphore';
import type { Kysely } from 'kysely';
import { findQueueUrl, type QueueDepth, queueDepth, type SqsAccess } from './dead-letters/queues.js';
import type { WorkerDeclaration } from './define-worker.js';
import { countDeadLettered } from './queries/failed-messages.js';
import { asConsumerDb, type ConsumerDatabase } from './schema.js';
import { workerSemaphoreKey, workerTopology } from './topology.js';

/** The semaphore key of the outbox sweeper (`createScheduledJob`'s `changeflow:<name>` for `outbox-sweeper`). */
export const SWEEPER_SEMAPHORE_KEY = 'changeflow:outbox-sweeper';

/** What {@link readPipelineStatus} reads from. */
export interface PipelineStatusDependencies<
  DB extends OutboxDatabase & ConsumerDatabase = OutboxDatabase & ConsumerDatabase,
> {
  /** The primary database: the outbox's `changes`, the consumer's `failed_messages`, `semaphore_slots`. */
  db: Kysely<DB>;
  /** For error messages: where `db` points. */
  databaseUrl: string;
  sqs: SqsAccess;
  semaphore: Semaphore;
  workers: readonly WorkerDeclaration[];
  prefix: string;
}

/** A queue's counts, or `missing` when it does not exist. */
export type QueueStatus = { name: string; missing: false } & QueueDepth;
export type MissingQueue = { name: string; missing: true };

/** One worker's queues, dead letters and slot holders. */
export interface WorkerStatus {
  worker: string;
  queue: QueueStatus | MissingQueue;
  deadLetterQueue: QueueStatus | MissingQueue;
  /** Rows of `failed_messages` marked dead-lettered for this worker. */
  deadLetteredRecorded: number;
  /** Live semaphore slots of the worker (the processes running it now). */
  holders: SlotHolder[];
  maxLocks: number;
}

/** The pipeline as on-call looks at it first (`changeflow status`, the console's pipeline page). */
export interface PipelineStatus {
  prefix: string;
  /** When the report was taken (process clock). */
  at: Date;
  outbox: { unpublished: number; oldestUnpublishedAgeMs: number | null };
  sweeper: { holders: SlotHolder[] };
  workers: WorkerStatus[];
}

/**
 * Reads the outbox backlog and the age of its oldest change, and per worker its queue, in-flight,
 * delayed and DLQ counts and who holds its slots. SQS counts are approximate, as SQS reports them.
 */
export async function readPipelineStatus<DB extends OutboxDatabase & ConsumerDatabase>(
  deps: PipelineStatusDependencies<DB>,
): Promise<PipelineStatus> {
  try {
    const [stats, deadLettered, sweeperHolders] = await Promise.all([
      unpublishedStats(deps.db),
      countDeadLettered(asConsumerDb(deps.db)),
      deps.semaphore.holders(SWEEPER_SEMAPHORE_KEY),
    ]);
    const workers = await Promise.all(
      deps.workers.map(async (worker): Promise<WorkerStatus> => {
        const names = workerTopology(worker, deps.prefix);
        const [queue, deadLetterQueue, holders] = await Promise.all([
          queueStatus(deps.sqs, names.queueName),
          queueStatus(deps.sqs, names.deadLetterQueueName),
          deps.semaphore.holders(workerSemaphoreKey(worker.name)),
        ]);
        return {
          worker: worker.name,
          queue,
          deadLetterQueue,
          deadLetteredRecorded: deadLettered.get(worker.name) ?? 0,
          holders,
          maxLocks: worker.maxLocks,
        };
      }),
    );
    return {
      prefix: deps.prefix,
      at: new Date(),
      outbox: { unpublished: stats.count, oldestUnpublishedAgeMs: stats.oldestAgeMs },
      sweeper: { holders: sweeperHolders },
      workers,
    };
  } catch (err) {
    throw explainPostgresError(err, deps.databaseUrl);
  }
}

async function queueStatus(access: SqsAccess, name: string): Promise<QueueStatus | MissingQueue> {
  const url = await findQueueUrl(access, name);
  if (!url) return { name, missing: true };
  return { name, missing: false, ...(await queueDepth(access, url)) };
}
