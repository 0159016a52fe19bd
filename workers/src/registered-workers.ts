import type { WorkerDefinition } from '@changeflow/consumer';
import type { WorkerContext } from './app.js';

/**
 * The workers this deployment runs. Empty for now: the reval issue adds its workers (doctor,
 * recommendation and connection indexes) here. Each gets its queue, DLQ and subscriptions from its
 * definition (`CHANGEFLOW_PROVISION=true` creates them), and its handlers may use the app's `db`.
 *
 * @example
 * export function registeredWorkers({ db }: WorkerContext): WorkerDefinition[] {
 *   return [defineWorker({ name: 'doctor-index', subscribesTo: ['trainee'], handle: projectDoctors(db) })];
 * }
 */
export function registeredWorkers(_context: WorkerContext): WorkerDefinition[] {
  return [];
}
