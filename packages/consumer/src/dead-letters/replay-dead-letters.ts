import { isLocalEndpoint } from '@changeflow/aws';
import { explainPostgresError, toError, UsageError } from '@changeflow/errors';
import type { Progress } from '@changeflow/outbox';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { WorkerDeclaration } from '../define-worker.js';
import type { ConsumerDatabase } from '../schema.js';
import { findWorker } from './find-worker.js';
import { MoveTaskUnsupportedError, runMoveTask } from './move-task.js';
import { resolveWorkerQueues, type SqsAccess, type WorkerQueues } from './queues.js';
import { receiveAndSend } from './replay-receive-send.js';

/** What `dlq replay` works with. */
export interface DlqReplayDependencies {
  db: Kysely<ConsumerDatabase>;
  databaseUrl: string;
  sqs: SqsAccess;
  workers: readonly WorkerDeclaration[];
  prefix: string;
  progress: Progress;
  logger: Logger;
  /** Aborting stops after the batch in hand; the result then says `interrupted`. */
  signal?: AbortSignal;
}

/** Which dead letters to move: all of them, those with these ids, or those whose reason contains a text. */
export type ReplaySelection = { all: true } | { ids: readonly string[] } | { reason: string };

/**
 * How to move: `move-task` is SQS's StartMessageMoveTask (AWS, `--all` only); `receive-send` receives
 * from the DLQ, sends to the queue, then deletes; `auto` takes `move-task` where it serves (`--all`, not
 * a dry run, an AWS endpoint) and falls back to `receive-send` when the endpoint does not support it.
 */
export type ReplayMethod = 'auto' | 'move-task' | 'receive-send';

export interface DlqReplayOptions {
  worker: string;
  selection: ReplaySelection;
  /** Count what would move and move nothing. @defaultValue false */
  dryRun?: boolean;
  /** Messages per second at most. @defaultValue unlimited */
  ratePerSecond?: number;
  /** @defaultValue 'auto' */
  method?: ReplayMethod;
  /**
   * Passes over the DLQ at most. A pass ends when a receive brings nothing new; skipped messages are
   * then handed back, and another pass runs only if this one moved something.
   * @defaultValue 3
   */
  maxPasses?: number;
  /**
   * How long skipped (non-matching) messages stay invisible while a pass goes on, in seconds. They are
   * handed back at the end of the pass, or after this if the replay dies.
   * @defaultValue 120
   */
  holdSeconds?: number;
  /**
   * When the DLQ still has invisible messages (another reader, or a replay that was killed holding a
   * batch), how long to wait for them to come back before reporting them, in seconds.
   * @defaultValue 20
   */
  settleSeconds?: number;
}

/** The result of `changeflow dlq replay`. */
export interface DlqReplayResult {
  worker: string;
  queue: string;
  deadLetterQueue: string;
  method: 'move-task' | 'receive-send';
  dryRun: boolean;
  /** Messages sent to the queue and deleted from the DLQ (or, in a dry run, 0). */
  moved: number;
  /** Messages that matched the selection (in a dry run: would have moved). */
  matched: number;
  /** Messages that did not match `--id`/`--reason` and were handed back untouched. */
  skipped: number;
  /** Messages SQS refused to take into the queue; they stay in the DLQ. */
  failed: number;
  /**
   * Messages this replay moved that failed again and were dead-lettered again while it ran: they stay
   * in the DLQ (moving them again would loop), to be fixed or purged.
   */
  failedAgain: number;
  /**
   * Moved messages that may now be delivered twice: an earlier replay took them out of the DLQ but
   * was stopped before it deleted them, or this replay sent them and could not delete them.
   */
  duplicatesPossible: number;
  /** Messages that stayed invisible in the DLQ (held by another reader) and were not looked at. */
  notVisible: number;
  /** `--id` values found in no DLQ message. */
  notFound: string[];
  /** Reasons SQS gave for refusals, one per distinct reason. */
  errors: string[];
  passes: number;
  /** Stopped by a signal before it was done. */
  interrupted: boolean;
}

/**
 * Moves dead letters back to the worker's queue (DESIGN.md §1 step 7).
 *
 * At-least-once: each message is sent to the queue first and deleted from the DLQ after, so a replay
 * killed between the two leaves it in the DLQ and a rerun sends it again — a duplicate, which handlers
 * absorb (G4), never a loss. Non-matching messages are only ever made visible again, never deleted.
 * `failed_messages.dead_lettered` is cleared before the send, so the rerun can count such duplicates.
 */
export async function replayDeadLetters(
  deps: DlqReplayDependencies,
  options: DlqReplayOptions,
): Promise<DlqReplayResult> {
  const worker = findWorker(deps.workers, options.worker);
  const method = options.method ?? 'auto';
  const isAll = 'all' in options.selection;
  if (method === 'move-task' && (!isAll || options.dryRun)) {
    throw new UsageError('--method move-task moves every message: use it with --all and without --dry-run');
  }
  const queues = await resolveWorkerQueues(deps.sqs, worker, deps.prefix);
  const useMoveTask =
    method === 'move-task' || (method === 'auto' && isAll && !options.dryRun && !isLocalEndpoint(deps.sqs.endpoint));
  if (useMoveTask) {
    try {
      return await runMoveTask({ ...deps, worker: worker.name, queues }, options.ratePerSecond);
    } catch (err) {
      if (!(err instanceof MoveTaskUnsupportedError) || method === 'move-task') throw err;
      deps.logger.warn({ err: toError(err) }, 'StartMessageMoveTask is not supported here; moving by receive and send');
    }
  }
  try {
    return await receiveAndSend(deps, worker.name, queues, options);
  } catch (err) {
    throw explainPostgresError(err, deps.databaseUrl);
  }
}

/** A replay's result before anything moved: every count zero. */
export function emptyReplayResult(
  worker: string,
  queues: WorkerQueues,
  method: DlqReplayResult['method'],
  dryRun: boolean,
  passes: number,
): DlqReplayResult {
  return {
    worker,
    queue: queues.topology.queueName,
    deadLetterQueue: queues.topology.deadLetterQueueName,
    method,
    dryRun,
    moved: 0,
    matched: 0,
    skipped: 0,
    failed: 0,
    failedAgain: 0,
    duplicatesPossible: 0,
    notVisible: 0,
    notFound: [],
    errors: [],
    passes,
    interrupted: false,
  };
}
