import type { ChangeMessage } from '@changeflow/outbox';
import type { Logger } from 'pino';

/**
 * Glossary (DESIGN.md §1 steps 4-6):
 * - **worker**: a named handler of changes of some object types, with its own SQS queue and
 *   dead-letter queue (DLQ), run by the worker runtime in any number of processes.
 * - **run**: one stretch of polling by one process while it holds one of the worker's `maxLocks`
 *   semaphore slots; it ends when the queue is empty or the run window is over.
 * - **message**: one SQS message; its body carries one or more changes (`{ "changes": [...] }`).
 * - **heartbeat**: extending the visibility of in-flight messages (and the slot's lease) while
 *   handlers work, so nobody else receives them meanwhile.
 * - **outcome**: what became of a message: `done` (deleted), `retry` (made visible again after a
 *   backoff), `deadLetter` (sent to the DLQ with its reason, then deleted), `split` (one message
 *   per change sent back to the queue, then deleted), `abandoned` (handler overran; made visible).
 */

/** What a handler tells the runtime; returning nothing means `done`. */
// biome-ignore lint/suspicious/noConfusingVoidType: an async handler that returns nothing resolves to void, which means done.
export type HandlerResult = void | 'done' | 'retry' | 'deadLetter';

/** What a handler receives besides the changes. */
export interface HandlerContext {
  /** Bound with `{ component: 'worker', worker, messageId }`. */
  logger: Logger;
  /** Aborted when the handler overran `maxHandlerMs` or the process is shutting down: stop soon. */
  signal: AbortSignal;
  /** How many times SQS has delivered this message, this delivery included (1 on the first). */
  attempt: number;
  /** The SQS message id. */
  messageId: string;
  /** The worker's name. */
  worker: string;
}

/** Handles the changes of one message. Throwing counts as `retry`, unless the error is a `FatalError`. */
export type Handler = (changes: readonly ChangeMessage[], context: HandlerContext) => Promise<HandlerResult>;

/** What happened to one message. */
export type MessageOutcome = 'done' | 'retry' | 'deadLetter' | 'split' | 'abandoned' | 'handedBack';

/** Reported once per message, from one place (log, metric, event). */
export interface MessageProcessedEvent {
  worker: string;
  messageId: string;
  outcome: MessageOutcome;
  /** Change numbers in the message (empty when the body was not a change message). */
  changeNumbers: string[];
  attempt: number;
  durationMs: number;
  /** Why it failed, for every outcome but `done`. */
  error?: string;
}

/** The runtime's events. A listener that throws is logged and does not stop the runtime. */
export interface WorkerRuntimeEvents {
  'message:processed': [MessageProcessedEvent];
  'run:started': [{ worker: string; slot: number }];
  'run:finished': [{ worker: string; messages: number; durationMs: number }];
}
