import { parseOptions } from '@changeflow/errors';
import { validate } from 'node-cron';
import { z } from 'zod';
import type { Handler } from './types.js';

const NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/**
 * A worker as plain data: its name, the topics it reads and how the runtime tunes it. The workers
 * deployment, the CLI, topology and CloudFormation all read declarations; only the deployment binds
 * a handler to each ({@link defineWorker}), at start, when it has live connections.
 */
const workerDeclarationShape = z.object({
  /** Names the worker, its queue `<prefix>-<name>`, its DLQ `<prefix>-<name>-dlq` and its semaphore key. */
  name: z.string().regex(NAME, 'must be 1-63 lower-case letters, digits, "-" or "_"'),
  /** Object types whose topics the worker's queue subscribes to. */
  subscribesTo: z.array(z.string().regex(NAME, 'must be an object type name')).min(1),
  /**
   * Processes of the cluster that may run this worker at once (semaphore slots).
   * @defaultValue 1
   */
  maxLocks: z.number().int().positive().max(1000).default(1),
  /**
   * Messages handled at once in one process.
   * @defaultValue 10
   */
  concurrency: z.number().int().positive().max(500).default(10),
  /**
   * SQS receives a run keeps in flight at once, each for up to ten messages and only for places of
   * `concurrency` no other receive holds (so `concurrency` still bounds the messages in flight).
   * More than one lets the next messages arrive while the handlers of the last receive work, which
   * matters when `concurrency` exceeds ten or a receive's round trip is long.
   * @defaultValue 1
   */
  receivesInFlight: z.number().int().min(1).max(10).default(1),
  /**
   * SQS visibility timeout of the queue, in seconds; heartbeats extend it every third of it.
   * @defaultValue 30
   */
  visibilityTimeoutSeconds: z.number().int().min(1).max(43_200).default(30),
  /**
   * Deliveries before SQS moves a message to the DLQ (the queue's RedrivePolicy).
   * @defaultValue 5
   */
  maxReceiveCount: z.number().int().min(1).max(1000).default(5),
  /**
   * node-cron expression of the tick that starts a run when none is going in this process.
   * @defaultValue '* * * * * *' (every second)
   */
  schedule: z.string().refine(validate, 'must be a cron expression').default('* * * * * *'),
  /**
   * Run window, in ms. When it ends and another process was refused the worker's slot meanwhile, the
   * run ends and releases the slot so that process gets a turn; when nobody waits, the run goes on
   * for another window without a pause.
   * @defaultValue 60000
   */
  runWindowMs: z.number().int().positive().default(60_000),
  /**
   * Long-poll wait of each receive, in seconds; a receive that brings nothing ends the run.
   * @defaultValue 2
   */
  waitTimeSeconds: z.number().int().min(0).max(20).default(2),
  /**
   * A handler running longer is abandoned: its signal aborts and its message becomes visible again.
   * @defaultValue 300000 (5 minutes)
   */
  maxHandlerMs: z.number().int().positive().default(300_000),
  /**
   * First retry delay in seconds; doubles per delivery, with jitter, up to `maxBackoffSeconds`.
   * @defaultValue 2
   */
  backoffBaseSeconds: z.number().int().min(0).max(43_200).default(2),
  /** @defaultValue 300 */
  maxBackoffSeconds: z.number().int().min(0).max(43_200).default(300),
  /**
   * Lease on the worker's semaphore slot, in ms; refreshed every third of it while a run lasts.
   * @defaultValue 30000
   */
  leaseMs: z.number().int().positive().default(30_000),
});

function isBackoffInOrder(worker: { backoffBaseSeconds: number; maxBackoffSeconds: number }): boolean {
  return worker.backoffBaseSeconds <= worker.maxBackoffSeconds;
}
const BACKOFF_ORDER = { path: ['backoffBaseSeconds'], message: 'must not exceed maxBackoffSeconds' };

/** A worker's declaration; `declareWorker` validates it and fills the defaults. */
export const workerDeclarationSchema = workerDeclarationShape.refine(isBackoffInOrder, BACKOFF_ORDER);

/** A declaration with its handler bound; `defineWorker` validates it and fills the defaults. */
const workerDefinitionSchema = workerDeclarationShape
  .extend({
    /** The handler; see {@link Handler}. */
    handle: z.custom<Handler>((value) => typeof value === 'function', 'must be a function'),
  })
  .refine(isBackoffInOrder, BACKOFF_ORDER);

/** What callers pass to {@link declareWorker}. */
export type WorkerDeclarationInput = z.input<typeof workerDeclarationSchema>;
/** A validated declaration with every default filled: plain data, no connections. */
export type WorkerDeclaration = z.output<typeof workerDeclarationSchema>;
/** What callers pass to {@link defineWorker}. */
export type WorkerDefinitionInput = z.input<typeof workerDefinitionSchema>;
/** A validated worker with every default filled, and its handler. */
export type WorkerDefinition = z.output<typeof workerDefinitionSchema>;

/**
 * Declares a worker as plain data: what the CLI, topology and CloudFormation read, with no handler
 * and no connection.
 *
 * @example
 * export const DOCTOR_INDEX = declareWorker({ name: 'doctor-index', subscribesTo: ['trainee', 'gmc-doctor'] });
 */
export function declareWorker(input: WorkerDeclarationInput): WorkerDeclaration {
  return parseOptions(workerDeclarationSchema, input, `worker "${String(input.name)}"`);
}

/**
 * Declares a worker with its handler (a declaration spread with `handle`). Its topology (queue, DLQ,
 * subscriptions) is derived from the declaration, nowhere else.
 *
 * @example
 * export const doctorIndex = defineWorker({
 *   ...DOCTOR_INDEX,
 *   async handle(changes, { logger }) { … },
 * });
 */
export function defineWorker(input: WorkerDefinitionInput): WorkerDefinition {
  return parseOptions(workerDefinitionSchema, input, `worker "${String(input.name)}"`);
}
