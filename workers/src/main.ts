/**
 * `npm run workers`: the workers deployment. Reads its configuration from the environment (see
 * `config.ts` and the README), runs the registered workers with the outbox sweeper and retention,
 * serves `/health`, `/ready` and `/metrics` on `ADMIN_PORT`, and drains on SIGTERM or Ctrl-C.
 */
import { stopOnSignals } from '@changeflow/app-kit';
import { ConfigError, toError } from '@changeflow/errors';
import { pino } from 'pino';
import { startWorkersApp } from './app.js';
import { loadConfig } from './config.js';
import { registeredJobs, registeredMigrations, registeredWorkers } from './registered-workers.js';

/**
 * Past the drain timeout, what stopping still does: hand the rest back (visibility 0), release the
 * slots, stop the admin HTTP and close the pools. Past this too, the process exits with 1 and SQS
 * visibility and lease expiry recover what it held.
 */
const HAND_BACK_MS = 30_000;

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (err) {
  // No logger yet: its level is part of the configuration that failed.
  pino().fatal({ err: toError(err) }, err instanceof ConfigError ? err.message : 'cannot read the configuration');
  process.exit(1);
}

const logger = pino({ level: config.logLevel, base: { app: 'changeflow-workers', pid: process.pid } });
const starting = startWorkersApp({
  config,
  workers: registeredWorkers,
  jobs: registeredJobs,
  migrate: registeredMigrations,
  logger,
});
// A signal during start-up stops the app once it is up (or exits at once on the second signal).
stopOnSignals({
  logger,
  draining: 'in-flight messages',
  deadlineMs: config.drainTimeoutMs + HAND_BACK_MS,
  stop: () => starting.then((app) => app.stop()),
});
try {
  const app = await starting;
  logger.info(
    { adminUrl: app.adminUrl, workers: app.runtime.workers.length },
    'workers running; SIGTERM or Ctrl-C stops them',
  );
} catch (err) {
  logger.fatal({ err: toError(err) }, toError(err).message);
  process.exit(1);
}
