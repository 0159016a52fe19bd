/**
 * @changeflow/workers — the workers deployment (DESIGN.md §1, right-hand side): runs the registered
 * workers, the outbox sweeper and retention, and the admin HTTP. `main.ts` is its command
 * (`npm run workers`); this is the front door for tests and tools.
 *
 * @example
 * const app = await startWorkersApp({ config: loadConfig(), workers: registeredWorkers });
 * await app.stop();
 */
export type { WorkerContext, WorkersApp, WorkersAppOptions, WorkersDatabase, WorkersSource } from './app.js';
export { startWorkersApp } from './app.js';
export type { WorkersConfig } from './config.js';
export { CONFIG_VARIABLES, loadConfig, WORKERS_VARIABLES } from './config.js';
export type { DependencyCheck, ReadinessReport } from './readiness.js';
export { READY_CHECK_TIMEOUT_MS } from './readiness.js';
export { registeredJobs, registeredMigrations, registeredWorkers } from './registered-workers.js';
export { SCRAPE_SOURCE_TIMEOUT_MS } from './scrape-metrics.js';
