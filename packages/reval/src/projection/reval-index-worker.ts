import {
  Batcher,
  declareWorker,
  defineWorker,
  type WorkerDefinition,
  type WorkerDefinitionInput,
} from '@changeflow/consumer';
import { toError } from '@changeflow/errors';
import type { ChangeMessage } from '@changeflow/outbox';
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
  // Two receives of ten: each receive's messages are projected in one transaction, so a process
  // runs two projections at once, the next one's messages arriving while the last one writes.
  concurrency: 20,
  receivesInFlight: 2,
  visibilityTimeoutSeconds: 60,
});

/** Tuning of the reval index worker over {@link REVAL_INDEX_WORKER}. */
export type RevalIndexWorkerOptions = Partial<Omit<WorkerDefinitionInput, 'name' | 'subscribesTo' | 'handle'>> & {
  /** The clock the rules' "today" comes from (Europe/London). @defaultValue `() => new Date()` */
  now?: () => Date;
};

/**
 * Messages projected in one transaction at most: one receive brings up to ten, and their handlers
 * start in the same tick, so a receive's messages are projected together.
 */
const MESSAGES_PER_PROJECTION = 10;
/** How long the first message of a projection waits for company: the handlers of one receive start within it. */
const GATHER_MS = 1;

/**
 * The worker that projects reval changes into the indexes (DESIGN.md §1 step 6): from the changes
 * of a message it finds every affected GMC number, reads their current primary data, recomputes the
 * master document and the derived indexes, and writes them (see {@link projectGmcNumbers} for the
 * G4 guard). Handling is idempotent: a duplicate delivery leaves the same rows.
 *
 * The messages handled at the same moment (a receive's worth) are projected together: one read of
 * the object-to-GMC map, one lock statement, four source reads and one write per index table for
 * all of them, rather than per message. If that projection fails, each message is projected again on
 * its own, so only the message with the bad change fails (G5: the runtime retries it, splits it,
 * and finally dead-letters that one change) and its neighbours are done.
 */
export function createRevalIndexWorker(
  stores: ProjectionStores,
  options: RevalIndexWorkerOptions = {},
): WorkerDefinition {
  const { now = () => new Date(), ...tuning } = options;
  const project = async (changes: readonly ChangeMessage[]) => {
    const gmcNumbers = await affectedGmcNumbers(stores.primaryDb, changes);
    await projectGmcNumbers(stores, gmcNumbers, londonToday(now()));
  };
  const projections = new Batcher<readonly ChangeMessage[]>(
    async (messages) => {
      try {
        await project(messages.flat());
        return messages.map(() => undefined);
      } catch (err) {
        if (messages.length === 1) return [toError(err)];
        const errors: Array<Error | undefined> = [];
        for (const changes of messages) errors.push(await project(changes).then(() => undefined, toError));
        return errors;
      }
    },
    { maxSize: MESSAGES_PER_PROJECTION, maxDelayMs: GATHER_MS },
  );
  return defineWorker({
    ...REVAL_INDEX_WORKER,
    ...tuning,
    name: REVAL_INDEX_WORKER.name,
    subscribesTo: REVAL_INDEX_WORKER.subscribesTo,
    async handle(changes, { logger }) {
      await projections.add(changes);
      logger.debug({ changes: changes.length }, 'reval indexes projected');
    },
  });
}
