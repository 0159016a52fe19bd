import { UsageError } from '@changeflow/errors';
import type { WorkerDeclaration } from '../define-worker.js';

/** The worker named `name`, or a `UsageError` listing the workers there are. */
export function findWorker(workers: readonly WorkerDeclaration[], name: string): WorkerDeclaration {
  const worker = workers.find((candidate) => candidate.name === name);
  if (worker) return worker;
  const known = workers.map((candidate) => candidate.name).join(', ') || '(none)';
  throw new UsageError(`unknown worker "${name}": the workers are ${known}`);
}
