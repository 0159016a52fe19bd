import type { WorkerDeclaration } from '@changeflow/consumer';
import { UsageError } from './errors.js';

/** The worker named `name`, or a `UsageError` listing the workers there are. */
export function findWorker(workers: readonly WorkerDeclaration[], name: string): WorkerDeclaration {
  const worker = workers.find((candidate) => candidate.name === name);
  if (worker) return worker;
  const known = workers.map((candidate) => candidate.name).join(', ') || '(none)';
  throw new UsageError(`unknown worker "${name}": the workers are ${known}`);
}

/** The semaphore key of the outbox sweeper (`createScheduledJob`'s `changeflow:<name>` for `outbox-sweeper`). */
export const SWEEPER_SEMAPHORE_KEY = 'changeflow:outbox-sweeper';
