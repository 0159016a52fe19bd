import type { SNSClient } from '@aws-sdk/client-sns';
import type { WorkerDefinition } from '@changeflow/consumer';
import { createOutbox } from '@changeflow/outbox';
import {
  createRevalIndexWorker,
  createRevalSyncWorker,
  DEFAULT_DESIGNATED_BODIES,
  DEFAULT_INDEX_SCHEMA,
  type ProjectionStores,
  type RevalDatabase,
} from '@changeflow/reval';
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';
import { UsageError } from './errors.js';

/** A Kysely that compiles queries but never connects: the CLI reads worker definitions, never runs handlers. */
function coldKysely<DB>(): Kysely<DB> {
  return new Kysely<DB>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
}

/**
 * The workers the deployment runs, for their names and topology (queue, DLQ, topics, semaphore key):
 * the reval index worker and the reval sync worker. Built from `@changeflow/reval`'s definitions with
 * stores that never connect and an outbox that never publishes (`sns` is only held), because the CLI
 * never runs a handler. The workers deployment registers its workers in
 * `workers/src/registered-workers.ts`; the CLI may not import from there (packages only), so this
 * list must follow it.
 */
export function deploymentWorkers(sns: SNSClient): WorkerDefinition[] {
  const primaryDb = coldKysely<RevalDatabase>();
  const stores: ProjectionStores = {
    primaryDb,
    indexDb: coldKysely<unknown>(),
    indexSchema: DEFAULT_INDEX_SCHEMA,
    designatedBodies: DEFAULT_DESIGNATED_BODIES,
  };
  return [
    createRevalIndexWorker(stores),
    createRevalSyncWorker({ ...stores, outbox: createOutbox({ db: primaryDb, sns }, { topicPrefix: 'unused' }) }),
  ];
}

/** The worker named `name`, or a `UsageError` listing the workers there are. */
export function findWorker(workers: readonly WorkerDefinition[], name: string): WorkerDefinition {
  const worker = workers.find((candidate) => candidate.name === name);
  if (worker) return worker;
  const known = workers.map((candidate) => candidate.name).join(', ') || '(none)';
  throw new UsageError(`unknown worker "${name}": the workers are ${known}`);
}

/** The semaphore key of the outbox sweeper (`createScheduledJob`'s `changeflow:<name>` for `outbox-sweeper`). */
export const SWEEPER_SEMAPHORE_KEY = 'changeflow:outbox-sweeper';
