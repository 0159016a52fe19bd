import type { SNSClient } from '@aws-sdk/client-sns';
import { ChangeflowError } from '@changeflow/errors';
import type { Semaphore } from '@changeflow/semaphore';
import type { Kysely, Transaction } from 'kysely';
import { type Logger, pino } from 'pino';
import { Registry } from 'prom-client';
import { type OutboxMetrics, outboxMetrics } from './metrics.js';
import { createPublisher, type Publisher, type PublisherOptions, type PublishResult } from './publisher.js';
import { recordChanges } from './record-changes.js';
import { type RecordedWrite, type ReturningWrite, recordWrite, type WriteChange } from './record-write.js';
import { createRetention, type Retention, type RetentionOptions, type RetentionStep } from './retention.js';
import { asOutboxDb, type OutboxDatabase } from './schema.js';
import { createSweeper, type Sweeper, type SweeperOptions } from './sweeper.js';
import type { ChangeInput, RecordedChange, RecordOptions } from './types.js';

/** Collects the changes of one `outbox.transaction(…)`. */
export interface ChangeRecorder {
  /** Records changes in the transaction (one multi-row insert per call). */
  record(changes: ChangeInput | readonly ChangeInput[]): Promise<RecordedChange[]>;
  /**
   * Runs a write and records one change per row it returns, in one statement (see `recordWrite`):
   * the transaction costs no more round trips than the write alone.
   */
  recordWrite<O>(write: ReturningWrite<O>, change: WriteChange<O>): Promise<RecordedWrite<O>>;
  /** Everything recorded so far in this transaction. */
  readonly recorded: readonly RecordedChange[];
}

/** What the outbox is built from. Collaborators are the caller's: the outbox closes none of them. */
export interface OutboxDependencies<DB extends OutboxDatabase> {
  db: Kysely<DB>;
  /** From `createAwsClients(…)` in `@changeflow/aws`. */
  sns: SNSClient;
  /** @defaultValue a silent logger */
  logger?: Logger;
  /** Where the outbox's metrics go. @defaultValue a private registry */
  registry?: Registry;
}

/** Options of {@link createOutbox}: the publisher's, and how changes are recorded. */
export type OutboxOptions = PublisherOptions & RecordOptions;

/** The outbox of one write service process. */
export interface Outbox<DB extends OutboxDatabase> {
  /**
   * Runs `fn` in a transaction, records the changes it states, commits, and then publishes them at
   * once (the fast path) without making the caller wait for SNS. A throw in `fn` rolls everything
   * back and nothing is published (G1, G2).
   */
  transaction<T>(fn: (trx: Transaction<DB>, changes: ChangeRecorder) => Promise<T>): Promise<T>;
  /**
   * A write of one statement and its changes in one round trip, with no BEGIN/COMMIT (one statement
   * is atomic: G1), then the fast path, as {@link transaction} does. The cheapest way to record.
   *
   * @example
   * const { rows } = await outbox.write(
   *   db.insertInto('trainee').values(row).returning(['id', 'version']),
   *   { objectType: 'trainee', objectId: 'id', objectVersion: 'version', changeType: 'CREATE' },
   * );
   */
  write<O>(write: ReturningWrite<O>, change: WriteChange<O>): Promise<RecordedWrite<O>>;
  /**
   * {@link transaction}'s shape at {@link write}'s cost, for code that writes through a recorder (a
   * save function shared with transactions) but sends one statement: `fn` gets the root db and a
   * recorder whose one `recordWrite` sends the write and its changes as one statement, committed on
   * its own (G1), with no BEGIN/COMMIT. A second `recordWrite`, or `record`, is refused: two
   * statements would not commit together. `fn` must send nothing else. What was recorded is
   * published after, even when `fn` throws later (the statement has committed).
   *
   * @example
   * const changes = await outbox.oneStatement((db, changes) => saveDoctor({ trx: db, changes }, doctor));
   */
  oneStatement<T>(fn: (db: Kysely<DB>, changes: ChangeRecorder) => Promise<T>): Promise<T>;
  /** Records changes in a transaction the caller manages; call {@link afterCommit} after it commits. */
  record(trx: Kysely<DB>, changes: ChangeInput | readonly ChangeInput[]): Promise<RecordedChange[]>;
  /**
   * The fast path for callers that manage their own transactions: publishes changes that have
   * committed. Resolves when SNS took them or they were left for the sweeper; never rejects.
   */
  afterCommit(changes: readonly RecordedChange[]): Promise<PublishResult>;
  /** Resolves once every fast-path publish started so far has finished. */
  flush(): Promise<void>;
  /** A sweeper sharing this outbox's publisher; start it in one role of the deployment (the workers). */
  createSweeper(semaphore: Semaphore, options?: SweeperOptions): Sweeper;
  /**
   * A retention job for this outbox's table, which also runs `steps` for other packages' tables
   * (the consumer's `failed_messages`: `failedMessagesRetentionStep`).
   */
  createRetention(semaphore: Semaphore, options?: RetentionOptions, steps?: readonly RetentionStep[]): Retention;
  readonly publisher: Publisher;
  readonly metrics: OutboxMetrics;
}

/**
 * Creates the outbox a write service uses: record changes with the write, publish after commit.
 *
 * @example
 * const aws = createAwsClients(awsOptionsFromEnv());
 * const outbox = createOutbox({ db, sns: aws.sns, logger }, { topicPrefix: 'changeflow' });
 * await outbox.transaction(async (trx, changes) => {
 *   await trx.insertInto('trainee').values(row).execute();
 *   await changes.record({ objectType: 'trainee', objectId: row.id, objectVersion: 1, changeType: 'CREATE' });
 * });
 */
export function createOutbox<DB extends OutboxDatabase>(
  deps: OutboxDependencies<DB>,
  options: OutboxOptions,
): Outbox<DB> {
  const { preparedStatements, ...publisherOptions } = options;
  const recordOptions: RecordOptions = { preparedStatements };
  const logger = deps.logger ?? pino({ level: 'silent' });
  const metrics = outboxMetrics(deps.registry ?? new Registry());
  const db = asOutboxDb(deps.db);
  const publisher = createPublisher({ db, sns: deps.sns, logger, metrics }, publisherOptions);
  const afterCommit = (changes: readonly RecordedChange[]) => publisher.publish(changes, 'fast');
  return {
    async transaction(fn) {
      const recorded: RecordedChange[] = [];
      const result = await deps.db.transaction().execute(async (trx) => {
        const recorder: ChangeRecorder = {
          async record(changes) {
            const rows = await recordChanges(trx, changes, recordOptions);
            recorded.push(...rows);
            return rows;
          },
          async recordWrite(write, change) {
            const result = await recordWrite(trx, write, change, recordOptions);
            recorded.push(...result.changes);
            return result;
          },
          get recorded() {
            return recorded;
          },
        };
        return fn(trx, recorder);
      });
      // G2: only now, after the commit. The caller does not wait for SNS; flush() does.
      void afterCommit(recorded);
      return result;
    },
    async write(write, change) {
      const result = await recordWrite(deps.db, write, change, recordOptions);
      // G2: the statement has committed by the time it answers. The caller does not wait for SNS.
      void afterCommit(result.changes);
      return result;
    },
    async oneStatement(fn) {
      const recorded: RecordedChange[] = [];
      let isWritten = false;
      const recorder: ChangeRecorder = {
        async record() {
          throw new ChangeflowError(
            'USAGE',
            'outbox.oneStatement records only the changes of its one write (changes.recordWrite); use outbox.transaction to record changes apart from a write',
          );
        },
        async recordWrite(write, change) {
          if (isWritten) {
            throw new ChangeflowError(
              'USAGE',
              'outbox.oneStatement sends one write; a second would commit apart from the first: use outbox.transaction',
            );
          }
          isWritten = true;
          const result = await recordWrite(deps.db, write, change, recordOptions);
          recorded.push(...result.changes);
          return result;
        },
        get recorded() {
          return recorded;
        },
      };
      try {
        return await fn(deps.db, recorder);
      } finally {
        // G2: the statement has committed by the time it answered. The caller does not wait for SNS.
        if (recorded.length > 0) void afterCommit(recorded);
      }
    },
    record: (trx, changes) => recordChanges(trx, changes, recordOptions),
    afterCommit,
    flush: () => publisher.flush(),
    createSweeper: (semaphore, sweeperOptions) =>
      createSweeper({ db, publisher, semaphore, logger, metrics }, sweeperOptions),
    createRetention: (semaphore, retentionOptions, steps) =>
      createRetention({ db, semaphore, logger, metrics, steps }, retentionOptions),
    publisher,
    metrics,
  };
}
