import { declareWorker, defineWorker, type WorkerDefinition, type WorkerDefinitionInput } from '@changeflow/consumer';
import { REVAL_OBJECT_TYPES } from '../object-types.js';
import { londonToday } from '../rules/index.js';
import { affectedGmcNumbers } from './affected-gmc-numbers.js';
import { type ProjectionStores, projectGmcNumbers } from './project-gmc-numbers.js';

/** The reval index worker as plain data: what the CLI, topology and CloudFormation read. */
export const REVAL_INDEX_WORKER = declareWorker({
  name: 'reval-index',
  subscribesTo: [
    REVAL_OBJECT_TYPES.trainee,
    REVAL_OBJECT_TYPES.gmcDoctor,
    REVAL_OBJECT_TYPES.recommendation,
    REVAL_OBJECT_TYPES.connectionFailure,
    REVAL_OBJECT_TYPES.gmcNumber,
  ],
  maxLocks: 4,
  concurrency: 8,
  visibilityTimeoutSeconds: 60,
});

/** Tuning of the reval index worker over {@link REVAL_INDEX_WORKER}. */
export type RevalIndexWorkerOptions = Partial<Omit<WorkerDefinitionInput, 'name' | 'subscribesTo' | 'handle'>> & {
  /** The clock the rules' "today" comes from (Europe/London). @defaultValue `() => new Date()` */
  now?: () => Date;
};

/**
 * The worker that projects reval changes into the indexes (DESIGN.md §1 step 6): from the changes
 * of a message it finds every affected GMC number, reads their current primary data, recomputes the
 * master document and the derived indexes, and writes them (see {@link projectGmcNumbers} for the
 * G4 guard). Handling is idempotent: a duplicate delivery rewrites the same rows.
 */
export function createRevalIndexWorker(
  stores: ProjectionStores,
  options: RevalIndexWorkerOptions = {},
): WorkerDefinition {
  const { now = () => new Date(), ...tuning } = options;
  return defineWorker({
    ...REVAL_INDEX_WORKER,
    ...tuning,
    name: REVAL_INDEX_WORKER.name,
    subscribesTo: REVAL_INDEX_WORKER.subscribesTo,
    async handle(changes, { logger }) {
      const gmcNumbers = await affectedGmcNumbers(stores.primaryDb, changes);
      const documents = await projectGmcNumbers(stores, gmcNumbers, londonToday(now()));
      logger.debug({ changes: changes.length, gmcNumbers: gmcNumbers.length, documents }, 'reval indexes projected');
    },
  });
}
