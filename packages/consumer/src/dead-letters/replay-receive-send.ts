import { setTimeout as sleep } from 'node:timers/promises';
import { createRateLimiter, type RateLimiter, waitForRate } from '@changeflow/outbox';
import { findFailedMessages, setDeadLettered } from '../queries/failed-messages.js';
import { type DeadLetter, DeadLetterQueue } from './dead-letter-queue.js';
import { queueDepth, type WorkerQueues } from './queues.js';
import {
  type DlqReplayDependencies,
  type DlqReplayOptions,
  type DlqReplayResult,
  emptyReplayResult,
  type ReplaySelection,
} from './replay-dead-letters.js';

/** Visibility of a batch being moved: receive, send and delete take milliseconds; this is the margin. */
const MOVE_VISIBILITY_SECONDS = 15;

/** What one replay keeps between batches and passes. */
interface PassState {
  /** DLQ message ids seen in this run. */
  readonly seen: Set<string>;
  /** Receipt handles of skipped messages held invisible until the pass ends, by message id. */
  readonly held: Map<string, string>;
  /** `--id` values not found yet. */
  readonly wanted: Set<string> | undefined;
}

/**
 * The receive → send → delete replay: passes over the DLQ, moving matching messages (send to the
 * queue first, delete from the DLQ after) and holding the others invisible until the pass ends, when
 * they are made visible again. Never deletes a message it did not send.
 */
export async function receiveAndSend(
  deps: DlqReplayDependencies,
  worker: string,
  queues: WorkerQueues,
  options: DlqReplayOptions,
): Promise<DlqReplayResult> {
  const dlq = new DeadLetterQueue(deps.sqs, queues);
  const dryRun = options.dryRun ?? false;
  const selection = options.selection;
  const isAll = 'all' in selection;
  const limiter = createRateLimiter(options.ratePerSecond);
  const result = emptyReplayResult(worker, queues, 'receive-send', dryRun, 0);
  const state: PassState = {
    seen: new Set(),
    held: new Map(),
    wanted: 'ids' in selection ? new Set(selection.ids) : undefined,
  };
  const depth = await queueDepth(deps.sqs, queues.deadLetterQueueUrl);
  const task = deps.progress.start(
    `${dryRun ? 'checking' : 'replaying'} ${result.deadLetterQueue}`,
    state.wanted?.size ?? depth.visible + depth.inFlight,
  );
  const isDone = () => state.wanted !== undefined && state.wanted.size === 0;
  try {
    for (let pass = 1; pass <= (options.maxPasses ?? 3) && !isDone() && !result.interrupted; pass += 1) {
      result.passes = pass;
      const matchedBefore = result.matched;
      const settleUntil = Date.now() + (options.settleSeconds ?? 20) * 1000;
      try {
        for (;;) {
          if (deps.signal?.aborted) {
            result.interrupted = true;
            break;
          }
          const batchSize = limiter.batchSize(10);
          const isMoving = isAll && !dryRun;
          // Moving everything: wait for the rate first, so a received batch is held only while it moves.
          if (isMoving && !(await waitForRate(limiter, batchSize, deps.signal))) {
            result.interrupted = true;
            break;
          }
          const letters = await dlq.receive(
            batchSize,
            isMoving ? MOVE_VISIBILITY_SECONDS : (options.holdSeconds ?? 120),
            1,
          );
          if (letters.length === 0) {
            // Invisible messages that are not ours: a reader holds them, or a killed replay did.
            const { inFlight } = await queueDepth(deps.sqs, queues.deadLetterQueueUrl);
            result.notVisible = Math.max(0, inFlight - state.held.size);
            if (result.notVisible > 0 && Date.now() < settleUntil && !isDone()) {
              await sleep(1000, undefined, { signal: deps.signal }).catch(() => {});
              continue;
            }
            break;
          }
          // A message this run moved that failed again and is back: it stays, held until the pass ends.
          for (const letter of letters.filter((l) => !state.seen.has(l.messageId) && dlq.cameBackFromThisRun(l))) {
            state.seen.add(letter.messageId);
            result.failedAgain += 1;
          }
          const fresh = letters.filter((letter) => !state.seen.has(letter.messageId));
          for (const letter of letters) {
            // A message seen before and not moved (skipped, or refused): keep its newest handle to hand back.
            if (state.seen.has(letter.messageId) && letter.message.ReceiptHandle) {
              state.held.set(letter.messageId, letter.message.ReceiptHandle);
            }
            state.seen.add(letter.messageId);
          }
          if (fresh.length === 0) break;
          if (!(await handleBatch(deps, dlq, worker, fresh, selection, dryRun, limiter, state, result))) {
            result.interrupted = true;
            break;
          }
          task.increment(fresh.length, `moved ${result.moved}, skipped ${result.skipped}`);
          if (isDone()) break;
        }
      } finally {
        await dlq.release([...state.held.values()]);
        state.held.clear();
      }
      if (dryRun || result.matched === matchedBefore) break;
    }
  } finally {
    task.stop();
  }
  if (result.notVisible > 0 && !isAll && isDone()) result.notVisible = 0;
  result.notFound = [...(state.wanted ?? [])];
  return result;
}

/**
 * Classifies fresh letters, holds the ones that do not match, and moves (or counts) the ones that do.
 * Returns `false` when the signal aborted while it waited for the rate (nothing of the batch moved).
 */
async function handleBatch(
  deps: DlqReplayDependencies,
  dlq: DeadLetterQueue,
  worker: string,
  letters: readonly DeadLetter[],
  selection: ReplaySelection,
  dryRun: boolean,
  limiter: RateLimiter,
  state: PassState,
  result: DlqReplayResult,
): Promise<boolean> {
  const rows = await findFailedMessages(
    deps.db,
    worker,
    letters.map((letter) => letter.originalMessageId),
  );
  const matching: DeadLetter[] = [];
  for (const letter of letters) {
    if (matches(letter, selection, rows.get(letter.originalMessageId)?.error)) {
      matching.push(letter);
      state.wanted?.delete(letter.messageId);
      state.wanted?.delete(letter.originalMessageId);
    } else {
      result.skipped += 1;
      if (letter.message.ReceiptHandle) state.held.set(letter.messageId, letter.message.ReceiptHandle);
    }
  }
  if (matching.length === 0) return true;
  const hold = (letter: DeadLetter) => {
    if (letter.message.ReceiptHandle) state.held.set(letter.messageId, letter.message.ReceiptHandle);
  };
  if (dryRun) {
    result.matched += matching.length;
    matching.forEach(hold);
    return true;
  }
  if (!('all' in selection) && !(await waitForRate(limiter, matching.length, deps.signal))) {
    matching.forEach(hold);
    return false;
  }
  result.matched += matching.length;
  // A row already cleared while its message is still in the DLQ: an earlier replay sent it, then stopped.
  result.duplicatesPossible += matching.filter(
    (letter) => rows.get(letter.originalMessageId)?.deadLettered === false,
  ).length;
  const ids = (letters: readonly DeadLetter[]) =>
    letters.map((letter) => letter.originalMessageId).filter((id) => rows.has(id));
  await setDeadLettered(deps.db, worker, ids(matching), false);
  const { sent, refused } = await dlq.sendToQueue(matching);
  if (refused.length > 0) {
    await setDeadLettered(deps.db, worker, ids(refused.map(({ letter }) => letter)), true);
    result.failed += refused.length;
    for (const { letter, reason } of refused) {
      hold(letter);
      if (!result.errors.includes(reason)) result.errors.push(reason);
    }
  }
  // Only now, after SQS took the copies: delete the originals (at-least-once).
  const notDeleted = await dlq.delete(sent);
  result.moved += sent.length;
  result.duplicatesPossible += notDeleted.length;
  return true;
}

function matches(letter: DeadLetter, selection: ReplaySelection, recordedReason: string | undefined): boolean {
  if ('all' in selection) return true;
  if ('ids' in selection)
    return selection.ids.includes(letter.messageId) || selection.ids.includes(letter.originalMessageId);
  const reason = letter.reason ?? recordedReason ?? '';
  return reason.toLowerCase().includes(selection.reason.toLowerCase());
}
