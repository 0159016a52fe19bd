/**
 * `npm run repository-service`: the reval write and query API. Reads its configuration from the
 * environment (see `config.ts` and the README), migrates, listens, and stops on SIGTERM or Ctrl-C.
 */
import { stopOnSignals } from '@changeflow/app-kit';
import { ConfigError, toError } from '@changeflow/errors';
import { pino } from 'pino';
import { startRepositoryService } from './app.js';
import { loadConfig, type RepositoryServiceConfig } from './config.js';

let config: RepositoryServiceConfig;
try {
  config = loadConfig();
} catch (err) {
  // No logger yet: its level is part of the configuration that failed.
  pino().fatal({ err: toError(err) }, err instanceof ConfigError ? err.message : 'cannot read the configuration');
  process.exit(1);
}

const logger = pino({ level: config.logLevel, base: { app: 'changeflow-repository-service', pid: process.pid } });
const starting = startRepositoryService(config, { logger });
// A signal during start-up stops the service once it is up (or exits at once on the second signal).
stopOnSignals({ logger, draining: 'in-flight requests', stop: () => starting.then((service) => service.stop()) });
try {
  const service = await starting;
  logger.info(
    { url: service.url, openapi: `${service.url}/docs/json` },
    'repository-service listening; SIGTERM or Ctrl-C stops it',
  );
} catch (err) {
  logger.fatal({ err: toError(err) }, toError(err).message);
  process.exit(1);
}
