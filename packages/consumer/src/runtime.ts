import { EventEmitter } from 'node:events';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { findQueueUrl, QueueMissingError } from '@changeflow/aws';
import { ChangeflowError, parseOptions, toError } from '@changeflow/errors';
import { createScheduledJob, defaultHolder, type ScheduledJob, type Semaphore } from '@changeflow/semaphore';
import type { Kysely } from 'kysely';
import { type Logger, pino } from 'pino';
import { Registry } from 'prom-client';
import { z } from 'zod';
import type { WorkerDefinition } from './define-worker.js';
import { type ConsumerMetrics, consumerMetrics } from './metrics.js';
import { QueueClient } from './queue-client.js';
import { asConsumerDb, type ConsumerDatabase } from './schema.js';
import { provision, workerSemaphoreKey, workerTopology } from './topology.js';
import type { MessageProcessedEvent, WorkerRuntimeEvents } from './types.js';
import { runWorker } from './worker-run.js';

export const workerRuntimeOptionsSchema = z.object({
  /** Topic and queue name prefix of the deployment. */
  prefix: z.string().regex(/^[A-Za-z0-9_-]{1,60}$/, 'must be 1-60 letters, digits, "-" or "_"'),
  /**
   * Create topics, queues and subscriptions at start (idempotent). Off: they must exist already.
   * @defaultValue false
   */
  provision: z.boolean().default(false),
  /**
   * On stop, how long in-flight handlers may go on before their messages are handed back.
   * @defaultValue 30000
   */
  drainTimeoutMs: z.number().int().nonnegative().default(30_000),
  /** Who holds the slots, for `holders()` and logs. @defaultValue `<hostname>:<pid>` */
  holder: z.string().min(1).optional(),
});

export type WorkerRuntimeOptions = z.input<typeof workerRuntimeOptionsSchema>;

/** The collaborators of the runtime; it closes none of them. */
export interface WorkerRuntimeDependencies<DB extends ConsumerDatabase = ConsumerDatabase> {
  sqs: SQSClient;
  sns: SNSClient;
  /** Where `failed_messages` and `semaphore_slots` are: any database `migrateConsumer` ran on. */
  db: Kysely<DB>;
  semaphore: Semaphore;
  /** @defaultValue a silent logger */
  logger?: Logger;
  /** @defaultValue a private registry */
  registry?: Registry;
}

/** Runs a set of workers in this process. */
export interface WorkerRuntime extends EventEmitter<WorkerRuntimeEvents> {
  /** Resolves queues (or provisions them) and starts every worker's tick. Idempotent. */
  start(): Promise<void>;
  /**
   * Stops polling, lets in-flight handlers finish within `drainTimeoutMs`, hands the rest back and
   * releases the slots. Resolves when all of that is done. Idempotent; safe to call concurrently.
   */
  stop(): Promise<void>;
  /** Runs one worker once now (as its tick would), for tools and tests. */
  runOnce(worker: string): Promise<'ran' | 'busy' | 'not-elected'>;
  readonly workers: readonly WorkerDefinition[];
  readonly metrics: ConsumerMetrics;
}

/**
 * Creates the worker runtime (DESIGN.md §1 steps 4-5): per worker a node-cron tick that, unless this
 * process is already running the worker, takes one of its `maxLocks` semaphore slots and polls its
 * queue until it is empty or the run window ends.
 *
 * @example
 * const runtime = createWorkerRuntime({ sqs, sns, db, semaphore, logger }, [doctorIndex], { prefix: 'changeflow' });
 * await runtime.start();
 * process.once('SIGTERM', () => void runtime.stop());
 */
export function createWorkerRuntime<DB extends ConsumerDatabase>(
  deps: WorkerRuntimeDependencies<DB>,
  workers: readonly WorkerDefinition[],
  options: WorkerRuntimeOptions,
): WorkerRuntime {
  const resolved = parseOptions(workerRuntimeOptionsSchema, options, 'worker runtime options');
  const names = workers.map((worker) => worker.name);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate)
    throw new ChangeflowError('CONFIG_INVALID', `two workers are named "${duplicate}"; names must be unique`);
  return new Runtime({ ...deps, db: asConsumerDb(deps.db) }, workers, resolved);
}

class Runtime extends EventEmitter<WorkerRuntimeEvents> implements WorkerRuntime {
  readonly workers: readonly WorkerDefinition[];
  readonly metrics: ConsumerMetrics;
  readonly #deps: WorkerRuntimeDependencies;
  readonly #options: z.output<typeof workerRuntimeOptionsSchema>;
  readonly #log: Logger;
  #jobs = new Map<string, ScheduledJob>();
  #starting: Promise<void> | undefined;
  #stopping: Promise<void> | undefined;

  constructor(
    deps: WorkerRuntimeDependencies,
    workers: readonly WorkerDefinition[],
    options: z.output<typeof workerRuntimeOptionsSchema>,
  ) {
    super();
    this.#deps = deps;
    this.workers = workers;
    this.#options = options;
    this.#log = (deps.logger ?? pino({ level: 'silent' })).child({ component: 'worker-runtime' });
    this.metrics = consumerMetrics(deps.registry ?? new Registry());
  }

  start(): Promise<void> {
    this.#starting ??= this.#start().catch((err: unknown) => {
      this.#starting = undefined;
      throw err;
    });
    return this.#starting;
  }

  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      await this.#starting?.catch(() => {});
      await Promise.all([...this.#jobs.values()].map((job) => job.stop()));
      this.#log.info({ workers: this.workers.length }, 'worker runtime stopped');
    })();
    return this.#stopping;
  }

  async runOnce(worker: string): Promise<'ran' | 'busy' | 'not-elected'> {
    await this.start();
    const job = this.#jobs.get(worker);
    if (!job)
      throw new ChangeflowError('UNKNOWN_WORKER', `no worker "${worker}"; known: ${[...this.#jobs.keys()].join(', ')}`);
    return job.runOnce();
  }

  async #start(): Promise<void> {
    const { sqs, sns } = this.#deps;
    if (this.#options.provision) await provision({ sqs, sns }, this.workers, this.#options.prefix);
    const holder = this.#options.holder ?? defaultHolder();
    const jobs = new Map<string, ScheduledJob>();
    for (const worker of this.workers) {
      const names = workerTopology(worker, this.#options.prefix);
      const queue = new QueueClient(
        sqs,
        await queueUrl(sqs, names.queueName),
        await queueUrl(sqs, names.deadLetterQueueName),
      );
      const logger = (this.#deps.logger ?? pino({ level: 'silent' })).child({
        component: 'worker',
        worker: worker.name,
      });
      jobs.set(
        worker.name,
        createScheduledJob(
          { semaphore: this.#deps.semaphore, logger },
          {
            name: `worker-${worker.name}`,
            key: workerSemaphoreKey(worker.name),
            maxLocks: worker.maxLocks,
            schedule: worker.schedule,
            leaseMs: worker.leaseMs,
            holder,
            run: async ({ signal, lease, isWanted }) => {
              this.metrics.runs.inc({ worker: worker.name });
              this.#emit('run:started', { worker: worker.name, slot: lease.slot });
              const started = performance.now();
              const messages = await runWorker(
                {
                  worker,
                  queue,
                  db: this.#deps.db,
                  logger,
                  metrics: this.metrics,
                  report: (event) => this.#report(logger, event),
                  drainTimeoutMs: this.#options.drainTimeoutMs,
                  isSlotWanted: isWanted,
                },
                signal,
              );
              this.#emit('run:finished', { worker: worker.name, messages, durationMs: performance.now() - started });
            },
          },
        ),
      );
    }
    if (this.#stopping) return;
    this.#jobs = jobs;
    for (const job of jobs.values()) job.start();
    this.#log.info({ workers: this.workers.map((worker) => worker.name), holder }, 'worker runtime started');
  }

  /** The one place a message's outcome is reported: log, metric, event. */
  #report(logger: Logger, event: MessageProcessedEvent): void {
    this.metrics.messages.inc({ worker: event.worker, outcome: event.outcome });
    const fields = {
      messageId: event.messageId,
      outcome: event.outcome,
      attempt: event.attempt,
      durationMs: Math.round(event.durationMs),
      changes: event.changeNumbers.length,
    };
    if (event.outcome === 'done') logger.debug(fields, 'message handled');
    else if (event.outcome === 'deadLetter') logger.error({ ...fields, error: event.error }, 'message dead-lettered');
    else logger.warn({ ...fields, error: event.error }, 'message failed');
    this.#emit('message:processed', event);
  }

  #emit<K extends keyof WorkerRuntimeEvents>(name: K, payload: WorkerRuntimeEvents[K][0]): void {
    try {
      (this.emit as (event: string, value: unknown) => boolean)(name, payload);
    } catch (err) {
      // A listener that throws must not stop the runtime.
      this.#log.error({ err: toError(err), event: name }, 'an event listener threw');
    }
  }
}

async function queueUrl(sqs: SQSClient, name: string): Promise<string> {
  let url: string | undefined;
  try {
    url = await findQueueUrl(sqs, name);
  } catch (err) {
    throw new ChangeflowError(
      'QUEUE_UNREACHABLE',
      `cannot look up queue ${name}: ${toError(err).message}; check AWS_ENDPOINT_URL and credentials`,
      { cause: err },
    );
  }
  if (url) return url;
  throw new QueueMissingError(
    `queue ${name} does not exist: provision the topology first (\`changeflow topology --apply\`, or start the workers with CHANGEFLOW_PROVISION=true)`,
  );
}
