import { setTimeout as sleep } from 'node:timers/promises';
import type { Message } from '@aws-sdk/client-sqs';
import { toError } from '@changeflow/errors';
import { type ChangeMessage, decodeChangeMessageBody } from '@changeflow/outbox';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { backoffSeconds } from './backoff.js';
import type { WorkerDefinition } from './define-worker.js';
import { FatalError } from './errors.js';
import type { ConsumerMetrics } from './metrics.js';
import { type FailureRecord, recordFailure } from './queries/record-failure.js';
import type { QueueClient } from './queue-client.js';
import type { ConsumerDatabase } from './schema.js';
import type { HandlerResult, MessageOutcome, MessageProcessedEvent } from './types.js';

/** SQS hands out at most ten messages per receive. */
const MAX_MESSAGES_PER_RECEIVE = 10;

/** What one run of one worker works with. */
export interface WorkerRunDependencies {
  worker: WorkerDefinition;
  queue: QueueClient;
  db: Kysely<ConsumerDatabase>;
  /** Bound with the worker's name. */
  logger: Logger;
  metrics: ConsumerMetrics;
  /** Feeds the log, the metric and the event of one message's outcome. */
  report(event: MessageProcessedEvent): void;
  /** On shutdown, how long in-flight handlers may go on before their messages are handed back. */
  drainTimeoutMs: number;
  /** Asked when the run window ends: does another process wait for this worker's slot? */
  isSlotWanted(): Promise<boolean>;
}

interface InFlightMessage {
  readonly message: Message;
  readonly receiptHandle: string;
  readonly controller: AbortController;
  /** Its outcome is settled (or it was abandoned/handed back): no more heartbeats. */
  isSettled: boolean;
  /** Shutdown gave it back to the queue; a late handler result is ignored. */
  isHandedBack: boolean;
}

/**
 * One run: long-polls the worker's queue with up to `receivesInFlight` receives at once, handling up
 * to `concurrency` messages at once, until a receive brings nothing and nothing is in flight, a run
 * window ends while another process waits for the slot, or `signal` aborts (shutdown or a lost
 * slot). A window that ends with nobody waiting starts the next one at once: ending the run would
 * drain the handlers and leave the queue unread until the next tick. Returns the number of messages
 * received.
 *
 * G5: a message is deleted only after its handler succeeded, or after it was sent to the DLQ, or
 * after its changes were re-sent one per message. Everything else makes it visible again.
 */
export async function runWorker(deps: WorkerRunDependencies, signal: AbortSignal): Promise<number> {
  const { worker, queue, logger, metrics } = deps;
  const inFlight = new Set<InFlightMessage>();
  const running = new Set<Promise<void>>();
  let wake: () => void = () => {};
  let changed = new Promise<void>((resolve) => {
    wake = resolve;
  });
  const notify = () => {
    wake();
    changed = new Promise<void>((resolve) => {
      wake = resolve;
    });
  };
  const heartbeat = setInterval(
    () => {
      const handles = [...inFlight].filter((entry) => !entry.isSettled).map((entry) => entry.receiptHandle);
      if (handles.length === 0) return;
      queue.extendVisibility(handles, worker.visibilityTimeoutSeconds).then(
        (refused) => {
          if (refused.length > 0)
            logger.warn(
              { refused: refused.length },
              'heartbeat refused for some messages; they may be delivered again',
            );
        },
        (err: unknown) =>
          logger.warn({ err: toError(err) }, 'heartbeat failed; in-flight messages may be delivered again'),
      );
    },
    Math.max(200, (worker.visibilityTimeoutSeconds * 1000) / 3),
  );

  // Stopping wakes a loop that waits for a free place.
  signal.addEventListener('abort', notify);
  let windowEndsAt = Date.now() + worker.runWindowMs;
  let received = 0;
  // Places of `concurrency` promised to receives still in flight: a receive asks only for places
  // nobody else holds, so in-flight messages never exceed `concurrency`, however many receives run.
  let reserved = 0;
  const receiving = new Set<Promise<void>>();
  /** Why the run ends, once a receive has said so: the queue is empty, or receiving fails. */
  let endOfRun: 'empty' | 'failed' | undefined;
  const receiveInto = async (max: number): Promise<void> => {
    let messages: Message[];
    try {
      // Not aborted on stop: SQS may still answer an abandoned long poll, and what it hands out then
      // would stay invisible to everyone for a whole timeout. A stop waits out the poll instead
      // (at most waitTimeSeconds) and gives back what it brought.
      messages = await queue.receive(max, worker.waitTimeSeconds, worker.visibilityTimeoutSeconds);
    } catch (err) {
      logger.warn({ err: toError(err) }, 'receive failed; the next tick tries again');
      endOfRun = 'failed';
      return;
    }
    if (signal.aborted) {
      await Promise.allSettled(messages.map((message) => queue.changeVisibility(message.ReceiptHandle ?? '', 0)));
      return;
    }
    if (messages.length === 0) {
      // The queue is empty: start no more receives. One still in flight may bring messages yet; they
      // are handled before the run ends.
      if (inFlight.size === 0) endOfRun = 'empty';
      // Something is still being handled: wait for it (or a moment) rather than poll in a tight loop.
      else await Promise.race([changed, sleep(250)]);
      return;
    }
    received += messages.length;
    for (const message of messages) {
      const entry: InFlightMessage = {
        message,
        receiptHandle: message.ReceiptHandle ?? '',
        controller: new AbortController(),
        isSettled: false,
        isHandedBack: false,
      };
      inFlight.add(entry);
      metrics.inFlight.inc({ worker: worker.name });
      const processing = processMessage(deps, entry).finally(() => {
        entry.isSettled = true;
        inFlight.delete(entry);
        running.delete(processing);
        metrics.inFlight.dec({ worker: worker.name });
        notify();
      });
      running.add(processing);
    }
  };
  try {
    while (!signal.aborted && endOfRun === undefined) {
      if (Date.now() >= windowEndsAt) {
        if (await deps.isSlotWanted()) break;
        windowEndsAt = Date.now() + worker.runWindowMs;
        logger.debug({ runWindowMs: worker.runWindowMs }, 'run window renewed: no other process waits for a slot');
        continue;
      }
      const free = worker.concurrency - inFlight.size - reserved;
      if (free <= 0 || receiving.size >= worker.receivesInFlight) {
        await changed;
        continue;
      }
      // The free places shared among the receives that may still start, so that one receive does
      // not take them all: with concurrency 20 and two receives in flight, ten each.
      const max = Math.min(MAX_MESSAGES_PER_RECEIVE, Math.ceil(free / (worker.receivesInFlight - receiving.size)));
      reserved += max;
      const receipt = receiveInto(max).finally(() => {
        reserved -= max;
        receiving.delete(receipt);
        notify();
      });
      receiving.add(receipt);
    }
  } finally {
    await Promise.allSettled([...receiving]);
    signal.removeEventListener('abort', notify);
    if (signal.aborted && running.size > 0) {
      // Shutdown, phase one: let handlers finish within the bound.
      await Promise.race([Promise.allSettled([...running]), sleep(deps.drainTimeoutMs)]);
      // Phase two: abort the rest and give their messages back, visible at once.
      await Promise.allSettled([...inFlight].map((entry) => handBack(deps, entry)));
    } else {
      await Promise.allSettled([...running]);
    }
    clearInterval(heartbeat);
    await queue.drain();
  }
  return received;
}

async function handBack(deps: WorkerRunDependencies, entry: InFlightMessage): Promise<void> {
  if (entry.isSettled) return;
  entry.isSettled = true;
  entry.isHandedBack = true;
  entry.controller.abort(new Error('worker stopping'));
  await deps.queue.changeVisibility(entry.receiptHandle, 0).catch((err: unknown) => {
    deps.logger.warn(
      { err: toError(err), messageId: entry.message.MessageId },
      'could not hand a message back; it returns after its visibility timeout',
    );
  });
  deps.report({
    worker: deps.worker.name,
    messageId: entry.message.MessageId ?? 'unknown',
    outcome: 'handedBack',
    changeNumbers: [],
    attempt: receiveCount(entry.message),
    durationMs: 0,
    error: 'handler did not finish before the drain timeout',
  });
}

/** Handles one message and settles it: delete, back off, split, dead-letter or make visible. */
async function processMessage(deps: WorkerRunDependencies, entry: InFlightMessage): Promise<void> {
  const { worker, queue, logger } = deps;
  const { message, receiptHandle } = entry;
  const messageId = message.MessageId ?? 'unknown';
  const attempt = receiveCount(message);
  const started = performance.now();
  const report = (outcome: MessageOutcome, changes: readonly ChangeMessage[], error?: string) =>
    deps.report({
      worker: worker.name,
      messageId,
      outcome,
      changeNumbers: changes.map((change) => change.changeNumber),
      attempt,
      durationMs: performance.now() - started,
      error,
    });

  let changes: readonly ChangeMessage[];
  try {
    changes = decodeChangeMessageBody(message.Body ?? '').changes;
  } catch (err) {
    const reason = toError(err).message;
    const outcome = await deadLetter(deps, entry, [], reason, attempt);
    report(outcome, [], reason);
    return;
  }

  let timer: NodeJS.Timeout | undefined;
  const overrun = new Promise<'overrun'>((resolve) => {
    timer = setTimeout(() => resolve('overrun'), worker.maxHandlerMs);
  });
  let result: HandlerResult | 'overrun';
  let error: string | undefined;
  try {
    const context = {
      logger: logger.child({ messageId, attempt }),
      signal: entry.controller.signal,
      attempt,
      messageId,
      worker: worker.name,
    };
    result = await Promise.race([worker.handle(changes, context), overrun]);
  } catch (err) {
    const thrown = toError(err);
    error = `${thrown.name}: ${thrown.message}`;
    result = err instanceof FatalError ? 'deadLetter' : 'retry';
  } finally {
    clearTimeout(timer);
    deps.metrics.handlerDuration.observe({ worker: worker.name }, (performance.now() - started) / 1000);
  }
  if (entry.isHandedBack) return;

  if (result === 'overrun') {
    entry.isSettled = true;
    entry.controller.abort(new Error(`handler ran longer than maxHandlerMs (${worker.maxHandlerMs} ms)`));
    logger.error(
      { messageId, attempt, maxHandlerMs: worker.maxHandlerMs },
      'handler overran; abandoned, its message will be delivered again',
    );
    await queue.changeVisibility(receiptHandle, 0).catch(() => {});
    report('abandoned', changes, `handler ran longer than ${worker.maxHandlerMs} ms`);
    return;
  }
  const outcome = result ?? 'done';
  if (outcome === 'done') {
    try {
      await queue.delete(receiptHandle);
    } catch (err) {
      logger.warn({ err: toError(err), messageId }, 'handled message not deleted; it will be handled again');
    }
    report('done', changes);
    return;
  }

  const reason = error ?? `handler returned "${outcome}"`;
  if (changes.length > 1) {
    try {
      // One bad change must not hold its neighbours back: one message per change, then delete.
      await queue.sendSplit(changes, messageId);
      await queue.delete(receiptHandle);
      await safeRecordFailure(
        deps,
        failureOf(
          worker.name,
          messageId,
          changes,
          `split into ${changes.length} messages after: ${reason}`,
          attempt,
          false,
        ),
      );
      report('split', changes, reason);
      return;
    } catch (err) {
      logger.warn({ err: toError(err), messageId }, 'could not split the message; retrying it whole');
    }
  }
  if (outcome === 'deadLetter') {
    report(await deadLetter(deps, entry, changes, reason, attempt), changes, reason);
    return;
  }
  // Recoverable: the same message, visible again after a growing delay. Never re-sent, so SQS's
  // receive count climbs and its RedrivePolicy dead-letters it after maxReceiveCount.
  const isLastAttempt = attempt >= worker.maxReceiveCount;
  const delaySeconds = isLastAttempt ? 0 : backoffSeconds(attempt, worker.backoffBaseSeconds, worker.maxBackoffSeconds);
  await queue.changeVisibility(receiptHandle, delaySeconds).catch((err: unknown) => {
    logger.warn(
      { err: toError(err), messageId },
      'could not set the retry delay; the message returns after its visibility timeout',
    );
  });
  await safeRecordFailure(deps, failureOf(worker.name, messageId, changes, reason, attempt, isLastAttempt));
  report('retry', changes, reason);
}

/** Sends the message to the DLQ with its reason, then deletes it; if that fails, it is retried instead. */
async function deadLetter(
  deps: WorkerRunDependencies,
  entry: InFlightMessage,
  changes: readonly ChangeMessage[],
  reason: string,
  attempt: number,
): Promise<MessageOutcome> {
  const messageId = entry.message.MessageId ?? 'unknown';
  try {
    await deps.queue.sendToDeadLetterQueue(entry.message, {
      error: reason,
      worker: deps.worker.name,
      attempts: attempt,
    });
    await deps.queue.delete(entry.receiptHandle);
  } catch (err) {
    deps.logger.warn({ err: toError(err), messageId }, 'could not dead-letter the message; it will be delivered again');
    await safeRecordFailure(deps, failureOf(deps.worker.name, messageId, changes, reason, attempt, false));
    return 'retry';
  }
  await safeRecordFailure(deps, failureOf(deps.worker.name, messageId, changes, reason, attempt, true));
  return 'deadLetter';
}

function failureOf(
  worker: string,
  messageId: string,
  changes: readonly ChangeMessage[],
  error: string,
  attempts: number,
  deadLettered: boolean,
): FailureRecord {
  return {
    worker,
    messageId,
    changeNumbers: changes.map((change) => change.changeNumber),
    objectType: changes[0]?.objectType ?? null,
    objectIds: [...new Set(changes.map((change) => change.objectId))],
    error,
    attempts,
    deadLettered,
  };
}

async function safeRecordFailure(deps: WorkerRunDependencies, failure: FailureRecord): Promise<void> {
  try {
    await recordFailure(deps.db, failure);
  } catch (err) {
    // The message's fate in SQS does not depend on this row; say loudly that the record is missing.
    deps.logger.error(
      { err: toError(err), messageId: failure.messageId },
      'could not record the failure in failed_messages',
    );
  }
}

function receiveCount(message: Message): number {
  return Number(message.Attributes?.ApproximateReceiveCount ?? '1') || 1;
}
