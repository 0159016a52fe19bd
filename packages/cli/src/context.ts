import type { Database } from '@changeflow/app-kit';
import { type AwsClients, createAwsClients } from '@changeflow/aws';
import { asConsumerDb, type ConsumerDatabase, type SqsAccess, type WorkerDeclaration } from '@changeflow/consumer';
import { asOutboxDb, type OutboxDatabase } from '@changeflow/outbox';
import type { RevalDatabase } from '@changeflow/reval';
import type { Kysely } from 'kysely';
import { type Logger, pino } from 'pino';
import type { CliConfig } from './config.js';
import { connectDatabase } from './database.js';
import type { ExitCode } from './exit-codes.js';
import type { Output } from './output.js';
import type { Progress } from './progress.js';

/**
 * Wraps a command's work for commander: builds its {@link CommandContext} from the global options and
 * the environment, runs it, records its exit code, and closes the context.
 */
export type CommandRunner = <A extends unknown[]>(
  work: (context: CommandContext, ...args: A) => Promise<ExitCode>,
) => (...args: A) => Promise<void>;

/**
 * What one command invocation works with. Postgres and the SNS/SQS clients are opened on first use
 * (so `topology --format` needs neither) and closed by {@link CommandContext.close}.
 */
export class CommandContext {
  readonly config: CliConfig;
  readonly output: Output;
  readonly progress: Progress;
  readonly logger: Logger;
  readonly signal: AbortSignal | undefined;
  /** The workers whose queues and slots the CLI knows: declarations, no handlers. */
  readonly workers: readonly WorkerDeclaration[];
  #db: Promise<Database<RevalDatabase>> | undefined;
  #indexDb: Promise<Database<unknown>> | undefined;
  #aws: AwsClients | undefined;

  constructor(options: {
    config: CliConfig;
    output: Output;
    progress: Progress;
    stderr: NodeJS.WritableStream;
    /** The workers the CLI knows. */
    workers: readonly WorkerDeclaration[];
    signal?: AbortSignal;
  }) {
    this.config = options.config;
    this.output = options.output;
    this.progress = options.progress;
    this.workers = options.workers;
    this.signal = options.signal;
    this.logger = pino({ level: options.config.logLevel, base: { component: 'changeflow-cli' } }, options.stderr);
  }

  /** Postgres at `DATABASE_URL` (the primary database: reval tables and the outbox's), checked reachable. */
  async db(): Promise<Kysely<RevalDatabase>> {
    this.#db ??= connectDatabase<RevalDatabase>(this.config.databaseUrl, 'DATABASE_URL', this.logger);
    return (await this.#db).db;
  }

  /** {@link db} as the outbox's queries take it. */
  async outboxDb(): Promise<Kysely<OutboxDatabase>> {
    return asOutboxDb(await this.db());
  }

  /** {@link db} as the consumer's dead-letter operations take it. */
  async consumerDb(): Promise<Kysely<ConsumerDatabase>> {
    return asConsumerDb(await this.db());
  }

  /** Postgres at `INDEX_DATABASE_URL` (which may equal `DATABASE_URL`), checked reachable. */
  async indexDb(): Promise<Kysely<unknown>> {
    this.#indexDb ??= connectDatabase<unknown>(this.config.indexDatabaseUrl, 'INDEX_DATABASE_URL', this.logger);
    return (await this.#indexDb).db;
  }

  /** The SNS/SQS clients, built by `@changeflow/aws` from the configuration. */
  aws(): AwsClients {
    this.#aws ??= createAwsClients(this.config.aws);
    return this.#aws;
  }

  /** The SQS client with its endpoint, as the queue helpers take it. */
  sqs(): SqsAccess {
    const aws = this.aws();
    return { sqs: aws.sqs, endpoint: aws.endpoint };
  }

  /** Closes what this context opened. */
  async close(): Promise<void> {
    const pending = [this.#db, this.#indexDb].filter((db) => db !== undefined);
    this.#db = undefined;
    this.#indexDb = undefined;
    await Promise.all(pending.map((db) => db.then((opened) => opened.close()).catch(() => {})));
    this.#aws?.destroy();
    this.#aws = undefined;
  }
}
