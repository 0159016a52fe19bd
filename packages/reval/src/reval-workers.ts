import type { WorkerDeclaration, WorkerDefinition } from '@changeflow/consumer';
import { ChangeflowError } from '@changeflow/errors';
import { createRevalIndexWorker, REVAL_INDEX_WORKER } from './projection/reval-index-worker.js';
import {
  createRevalSyncWorker,
  REVAL_SYNC_WORKER,
  type RevalSyncWorkerDependencies,
} from './sync/reval-sync-worker.js';

/**
 * Every reval worker, as plain data: the one list the workers deployment runs
 * ({@link createRevalWorkers}), the CLI operates and topology and CloudFormation are derived from.
 */
export const REVAL_WORKERS: readonly WorkerDeclaration[] = [REVAL_INDEX_WORKER, REVAL_SYNC_WORKER];

/**
 * Binds a handler to each of {@link REVAL_WORKERS}, at start, with the deployment's live stores.
 * A declaration without a handler here fails the start rather than leaving its queue unread.
 *
 * @example
 * const workers = createRevalWorkers({ primaryDb, indexDb, indexSchema, designatedBodies, outbox });
 */
export function createRevalWorkers(deps: RevalSyncWorkerDependencies): WorkerDefinition[] {
  const handlers = new Map<string, () => WorkerDefinition>([
    [REVAL_INDEX_WORKER.name, () => createRevalIndexWorker(deps, { now: deps.now })],
    [REVAL_SYNC_WORKER.name, () => createRevalSyncWorker(deps)],
  ]);
  return REVAL_WORKERS.map((declaration) => {
    const create = handlers.get(declaration.name);
    if (!create) {
      throw new ChangeflowError(
        'WORKER_WITHOUT_HANDLER',
        `reval worker ${declaration.name} is declared but has no handler: bind one in createRevalWorkers`,
      );
    }
    return create();
  });
}
