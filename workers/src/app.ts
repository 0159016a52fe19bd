import type { SQSClient } from '@aws-sdk/client-sqs';
import { type Database, openDatabase, openIndexDatabase } from '@changeflow/app-kit';
import { type AwsClients, createAwsClients, findQueueUrl, QueueMissingError } from '@changeflow/aws';
import {
  type ConsumerDatabase,
  createWorkerRuntime,
  failedMessagesRetentionStep,
  migrateConsumer,
  type WorkerDefinition,
  type WorkerRuntime,
  workerSemaphoreKey,
  workerTopology,
} from '@changeflow/consumer';
import { toError } from '@changeflow/errors';
import { asOutboxDb, createOutbox, migrateOutbox, type Outbox, type OutboxDatabase } from '@changeflow/outbox';
import { createSemaphore, type ScheduledJob, type Semaphore } from '@changeflow/semaphore';
import type { Kysely } from 'kysely';
import { type Logger, pino } from 'pino';
import { Registry } from 'prom-client';
import { type AdminServer, startAdminServer } from './admin-server.js';
import type { WorkersConfig } from './config.js';
import { checkReadiness } from './readiness.js';
import { registerScrapeMetrics, type ScrapedWorker } from './scrape-metrics.js';

/** The primary database of the workers deployment: the outbox's `changes`, the consumer's `failed_messages`. */
export type WorkersDatabase = OutboxDatabase & ConsumerDatabase;

/**
 * Connections of the app's pool. Each worker's run needs one now and then (slot refresh, failure
 * records), as do the sweeper, retention, `/ready` and `/metrics`; handlers that use the app's `db`
 * share it too.
 */
const POOL_SIZE = 10;

/** What a worker factory gets: the app's own collaborators, so handlers need no connections of their own. */
export interface WorkerContext {
  /** Kysely on the app's pool; `db.withTables<MyTables>()` types a handler's own tables. */
  db: Kysely<WorkersDatabase>;
  /** Kysely on the index store's database (`INDEX_DATABASE_URL`; the app's pool when unset). */
  indexDb: Kysely<WorkersDatabase>;
  /** The outbox on `db`, for workers and jobs that record changes of their own. */
  outbox: Outbox<WorkersDatabase>;
  semaphore: Semaphore;
  /** The app's root logger. */
  logger: Logger;
  config: WorkersConfig;
}

/** The workers to run: a list, or a function building it from the app's collaborators. */
export type WorkersSource = readonly WorkerDefinition[] | ((context: WorkerContext) => readonly WorkerDefinition[]);

export interface WorkersAppOptions {
  /** From `loadConfig()`. */
  config: WorkersConfig;
  /** The workers this deployment runs (`registeredWorkers` in production). */
  workers: WorkersSource;
  /** Timer jobs to start beside them (`registeredJobs` in production), stopped after the workers. */
  jobs?: (context: WorkerContext) => readonly ScheduledJob[];
  /** Migrations of the workers' own tables, run after the outbox's when `MIGRATE` is on. */
  migrate?: (context: {
    db: Kysely<WorkersDatabase>;
    indexDb: Kysely<WorkersDatabase>;
    config: WorkersConfig;
  }) => Promise<void>;
  /** The root logger; `main.ts` creates it. @defaultValue a pino logger at `config.logLevel` */
  logger?: Logger;
}

/** The running workers deployment. */
export interface WorkersApp {
  /** `http://<host>:<port>` of the admin HTTP (`/health`, `/ready`, `/metrics`). */
  readonly adminUrl: string;
  readonly runtime: WorkerRuntime;
  /** The app's own metrics registry, which `/metrics` serves. */
  readonly registry: Registry;
  /**
   * Stops everything in order: the worker runtime (drains in-flight handlers within
   * `DRAIN_TIMEOUT_MS`, then hands the rest back), the sweeper, retention, the admin HTTP, the AWS
   * clients and the Postgres pool. Idempotent; safe to call concurrently.
   */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** What has been started so far; {@link stopAll} stops whatever is there, in order. */
interface Started {
  database?: Database<WorkersDatabase>;
  indexDatabase?: Database<WorkersDatabase>;
  jobs?: readonly ScheduledJob[];
  aws?: AwsClients;
  runtime?: WorkerRuntime;
  sweeper?: ScheduledJob;
  retention?: ScheduledJob;
  admin?: AdminServer;
  isStopping: boolean;
}

/**
 * The composition root of the workers deployment (DESIGN.md §1, right-hand side): Postgres pool and
 * migrations, AWS clients, the semaphore, the outbox sweeper and retention, the worker runtime
 * (provisioning its topology when configured), and the admin HTTP. A start that fails half-way
 * stops what it had started and rethrows.
 *
 * @example
 * const config = loadConfig();
 * const app = await startWorkersApp({ config, workers: registeredWorkers, logger: pino() });
 * process.once('SIGTERM', () => void app.stop().then(() => process.exit(0)));
 */
export async function startWorkersApp(options: WorkersAppOptions): Promise<WorkersApp> {
  const { config } = options;
  const logger = options.logger ?? pino({ level: config.logLevel });
  const log = logger.child({ component: 'workers-app' });
  const started: Started = { isStopping: false };
  const startedAt = performance.now();
  try {
    const pool = { logger, poolSize: POOL_SIZE, timeouts: config.postgresTimeouts };
    started.database = await openDatabase<WorkersDatabase>(config.databaseUrl, { ...pool, variable: 'DATABASE_URL' });
    const { db } = started.database;
    started.indexDatabase = await openIndexDatabase<WorkersDatabase, WorkersDatabase>(started.database, config, pool);
    const indexDb = started.indexDatabase.db;
    if (config.migrate) {
      await migrateOutbox(db);
      await migrateConsumer(db);
      await options.migrate?.({ db, indexDb, config });
    }

    started.aws = createAwsClients(config.aws, { logger });
    const { sqs, sns } = started.aws;
    const registry = new Registry();
    const semaphore = createSemaphore(db, { logger });
    const outbox = createOutbox(
      { db, sns, logger, registry },
      { topicPrefix: config.prefix, preparedStatements: config.preparedStatements },
    );
    const context: WorkerContext = { db, indexDb, outbox, semaphore, logger, config };
    const workers = typeof options.workers === 'function' ? options.workers(context) : options.workers;

    started.runtime = createWorkerRuntime({ sqs, sns, db, semaphore, logger, registry }, workers, {
      prefix: config.prefix,
      provision: config.provision,
      drainTimeoutMs: config.drainTimeoutMs,
    });
    await started.runtime.start();
    const runtime = started.runtime;

    started.sweeper = outbox.createSweeper(semaphore, config.sweeper);
    started.sweeper.start();
    const { failedMessagesRetentionMs, ...retention } = config.retention;
    started.retention = outbox.createRetention(semaphore, retention, [
      failedMessagesRetentionStep({ db, metrics: runtime.metrics }, { retentionMs: failedMessagesRetentionMs }),
    ]);
    started.retention.start();
    started.jobs = options.jobs?.(context) ?? [];
    for (const job of started.jobs) job.start();

    const scrape = registerScrapeMetrics({
      registry,
      sqs,
      semaphore,
      db: asOutboxDb(db),
      outboxMetrics: outbox.metrics,
      workers: await Promise.all(workers.map((worker) => scrapedWorker(sqs, worker, config.prefix))),
      logger,
    });
    started.admin = await startAdminServer({
      host: config.adminHost,
      port: config.adminPort,
      registry,
      checkReadiness: () => checkReadiness({ db, sqs, prefix: config.prefix, isStopping: () => started.isStopping }),
      beforeScrape: () => scrape.refreshOutbox(),
      logger,
    });
    const adminUrl = started.admin.url;
    log.info(
      {
        adminUrl,
        workers: workers.map((worker) => worker.name),
        prefix: config.prefix,
        durationMs: Math.round(performance.now() - startedAt),
      },
      'workers app started',
    );

    let stopping: Promise<void> | undefined;
    const stop = () => {
      stopping ??= stopAll(started, log);
      return stopping;
    };
    return { adminUrl, runtime, registry, stop, [Symbol.asyncDispose]: stop };
  } catch (err) {
    log.error({ err: toError(err) }, 'workers app failed to start; stopping what had started');
    await stopAll(started, log);
    throw err;
  }
}

/**
 * Stops in dependency order. Each step runs even if an earlier one failed: a stuck sweeper must not
 * keep the pool open. The first failure is rethrown at the end.
 */
async function stopAll(started: Started, log: Logger): Promise<void> {
  started.isStopping = true;
  const stoppedAt = performance.now();
  log.info('workers app stopping: draining in-flight messages');
  const failures: unknown[] = [];
  const step = async (what: string, run: (() => Promise<void> | void) | undefined) => {
    if (!run) return;
    try {
      await run();
    } catch (err) {
      failures.push(err);
      log.error({ err: toError(err), step: what }, 'a shutdown step failed; going on with the next');
    }
  };
  await step('worker runtime', started.runtime && (() => started.runtime?.stop()));
  await step('sweeper', started.sweeper && (() => started.sweeper?.stop()));
  await step('retention', started.retention && (() => started.retention?.stop()));
  for (const job of started.jobs ?? []) await step('job', () => job.stop());
  await step('admin HTTP', started.admin && (() => started.admin?.close()));
  await step('AWS clients', started.aws && (() => started.aws?.destroy()));
  await step('index Postgres pool', started.indexDatabase && (() => started.indexDatabase?.close()));
  await step('Postgres pool', started.database && (() => started.database?.close()));
  log.info({ durationMs: Math.round(performance.now() - stoppedAt) }, 'workers app stopped');
  if (failures.length > 0) throw failures[0];
}

/** Where a worker's queues are, for the queue-depth metrics; the runtime has checked they exist. */
async function scrapedWorker(sqs: SQSClient, worker: WorkerDefinition, prefix: string): Promise<ScrapedWorker> {
  const names = workerTopology(worker, prefix);
  const urlOf = async (queueName: string) => {
    const url = await findQueueUrl(sqs, queueName);
    if (!url) throw new QueueMissingError(`queue ${queueName} does not exist: provision the topology`);
    return url;
  };
  return {
    name: worker.name,
    queueUrl: await urlOf(names.queueName),
    deadLetterQueueUrl: await urlOf(names.deadLetterQueueName),
    semaphoreKey: workerSemaphoreKey(worker.name),
    maxLocks: worker.maxLocks,
  };
}
