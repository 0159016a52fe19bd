import type { WorkerDefinition } from '@changeflow/consumer';
import { createOutbox, type OutboxDependencies } from '@changeflow/outbox';
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';
import { DEFAULT_DESIGNATED_BODIES } from './designated-bodies.js';
import { DEFAULT_INDEX_SCHEMA } from './migrate-reval.js';
import type { ProjectionStores } from './projection/project-gmc-numbers.js';
import { createRevalIndexWorker } from './projection/reval-index-worker.js';
import type { RevalDatabase } from './store/schema.js';
import { createRevalSyncWorker } from './sync/reval-sync-worker.js';

/**
 * A Kysely that compiles queries but never connects: the CLI and the console read worker definitions,
 * never run handlers.
 */
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
 * and the console never run a handler. The workers deployment registers its workers in
 * `workers/src/registered-workers.ts`; packages may not import from there, so this list must follow it.
 */
export function deploymentWorkers(sns: OutboxDependencies<RevalDatabase>['sns']): WorkerDefinition[] {
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
