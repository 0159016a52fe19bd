import { randomUUID } from 'node:crypto';
import { type Database, openDatabase, openIndexDatabase } from '@changeflow/app-kit';
import { type AwsClients, createAwsClients } from '@changeflow/aws';
import { migrateConsumer } from '@changeflow/consumer';
import { toError } from '@changeflow/errors';
import { createOutbox, type Outbox } from '@changeflow/outbox';
import {
  createRevalQueries,
  migrateRevalIndex,
  migrateRevalPrimary,
  REVAL_WORKERS,
  type RevalDatabase,
  type RevalIndexDatabase,
} from '@changeflow/reval';
import { createSemaphore } from '@changeflow/semaphore';
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyRequest, LogController } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { type Kysely, sql } from 'kysely';
import { type Logger, pino } from 'pino';
import { createAuthHook } from './auth.js';
import type { RepositoryServiceConfig } from './config.js';
import { CONSOLE_TAG, registerConsole } from './console/console-plugin.js';
import { handleError, handleFrameworkError, handleNotFound, MAX_PARAM_LENGTH } from './http-errors.js';
import { acceptOnlyNdjson, MAX_RECORD_BYTES, registerImportRoute } from './import-routes.js';
import { registerQueryRoutes } from './query-routes.js';
import { refuseNul } from './refuse-nul.js';
import { connectionFailureResource, gmcDoctorResource, recommendationResource, traineeResource } from './resources.js';
import { healthSchema } from './schemas.js';
import { registerSyncRoutes } from './sync-routes.js';
import { registerWriteRoutes } from './write-routes.js';

/**
 * Connections of a pool. A write holds one for its transaction, an import one per batch in turn, and
 * a query up to three at once (its page and its counts run side by side).
 */
const POOL_SIZE = 20;

/** What {@link buildApp} is built from. Collaborators are the caller's: the app closes none of them. */
export interface RepositoryServiceDependencies {
  config: RepositoryServiceConfig;
  /** The primary database: reval tables and the outbox. */
  db: Kysely<RevalDatabase>;
  /** The index store's database (may be the same pool as `db`). */
  indexDb: Kysely<RevalIndexDatabase>;
  /** Records each write's changes and publishes them after the commit. */
  outbox: Outbox<RevalDatabase>;
  logger: Logger;
  /**
   * SNS/SQS, for the console's queue depths and dead letters. Without it there is no console at
   * `/console` (the API alone).
   */
  aws?: AwsClients;
}

/** A request id from the caller's `X-Request-Id` when it is a sensible token, else a fresh UUID. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Service version in the OpenAPI document. */
const API_VERSION = '0.1.0';

/**
 * Builds the HTTP API (not listening): writes, NDJSON imports, queries, `/health` and the OpenAPI
 * document at `/docs/json`. Tests call `app.inject(…)` or `app.listen({ port: 0 })` on it.
 *
 * @example
 * const app = await buildApp({ config, db, indexDb, outbox, logger });
 * const answer = await app.inject({ method: 'GET', url: '/health' });
 */
export async function buildApp(deps: RepositoryServiceDependencies): Promise<FastifyInstance> {
  const { config, db, indexDb, outbox } = deps;
  const logger = deps.logger.child({ component: 'http' });
  const app = Fastify({
    loggerInstance: logger,
    // One line per request at debug (the onResponse hook below); errors are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'reqId' }),
    bodyLimit: MAX_RECORD_BYTES,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: handleFrameworkError,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
  }) as unknown as FastifyInstance;

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler(handleNotFound);
  app.addHook('onRequest', createAuthHook(config));
  app.addHook('onRequest', ignoreContentTypeOfEmptyDelete);
  // Writes take JSON only: without fastify's default text/plain parser, a text body answers 415 as
  // the OpenAPI says, not 400 from the body schema.
  app.removeContentTypeParser('text/plain');
  app.addHook('preValidation', refuseNul);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.debug(
      {
        method: request.method,
        url: request.url,
        statusCode: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime),
      },
      'request completed',
    );
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Changeflow repository-service',
        description:
          'Reval writes and NDJSON imports, each recording its changes through the outbox, and the reval index queries. ' +
          'Every route but /health and /docs/json needs a bearer token: the read token for queries, the write token for everything.',
        version: API_VERSION,
      },
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            description: 'READ_TOKEN (queries) or WRITE_TOKEN (every route)',
          },
        },
      },
      tags: [
        { name: 'Writes', description: 'Create, replace and delete one object' },
        { name: 'Imports', description: 'NDJSON bulk imports' },
        { name: 'Queries', description: 'The reval indexes' },
        { name: 'Service', description: 'Health' },
        {
          name: CONSOLE_TAG,
          description:
            'The web console under /console: pages and the JSON they show. Signed in through the form at /console/login (a session cookie), not a bearer token.',
        },
      ],
    },
    transform: jsonSchemaTransform,
  });

  app.get('/docs/json', { schema: { hide: true } }, async () => app.swagger());

  app.route({
    method: 'GET',
    url: '/health',
    schema: {
      summary: 'Whether the service can reach its databases',
      tags: ['Service'],
      response: { 200: healthSchema, 503: healthSchema },
    },
    handler: async (request, reply) => {
      try {
        await Promise.all([sql`select 1`.execute(db), sql`select 1`.execute(indexDb)]);
        return reply.send({ status: 'ok' });
      } catch (err) {
        request.log.warn({ err: toError(err) }, 'health check failed');
        return reply.code(503).send({
          status: 'unavailable',
          message: 'Postgres does not answer: check DATABASE_URL and INDEX_DATABASE_URL',
        });
      }
    },
  });

  registerWriteRoutes(app, traineeResource, { outbox });
  registerWriteRoutes(app, gmcDoctorResource, { outbox });
  registerWriteRoutes(app, recommendationResource, { outbox });
  registerWriteRoutes(app, connectionFailureResource, { outbox });

  const importDeps = { outbox, batchSize: config.bulkBatchSize, maxBytes: config.bulkMaxBytes, logger };
  await app.register(async (imports) => {
    acceptOnlyNdjson(imports);
    registerImportRoute(imports, traineeResource, importDeps);
    registerImportRoute(imports, gmcDoctorResource, importDeps);
    registerImportRoute(imports, recommendationResource, importDeps);
  });

  // The index store is bound to its schema once, here; the API and the console share the queries.
  const queries = createRevalQueries(indexDb, config.indexSchema);
  registerQueryRoutes(app, { queries });
  registerSyncRoutes(app, { db, outbox });
  if (deps.aws) {
    await registerConsole(app, {
      tokens: config,
      db,
      databaseUrl: config.databaseUrl,
      queries,
      outbox,
      semaphore: createSemaphore(db),
      sqs: { sqs: deps.aws.sqs, endpoint: config.aws.endpoint },
      workers: REVAL_WORKERS,
      prefix: config.prefix,
      workersMetricsUrl: config.workersMetricsUrl,
      logger,
    });
  }
  return app;
}

/**
 * Many HTTP clients send `Content-Type: application/json` on every request, a DELETE without a body
 * included; fastify would try to parse the empty body as JSON and answer 400. A DELETE takes no
 * body, so the header of an empty one is dropped.
 */
async function ignoreContentTypeOfEmptyDelete(request: FastifyRequest): Promise<void> {
  const { headers } = request;
  const isEmpty =
    headers['transfer-encoding'] === undefined &&
    (headers['content-length'] === undefined || headers['content-length'] === '0');
  if (request.method === 'DELETE' && isEmpty) delete headers['content-type'];
}

/** The running service. */
export interface RepositoryService {
  /** `http://<host>:<port>` it listens on. */
  readonly url: string;
  readonly app: FastifyInstance;
  /**
   * Stops in order: the HTTP server (no new requests; in-flight ones finish), the outbox's fast-path
   * publishes, the AWS clients, the Postgres pools. Idempotent; safe to call concurrently.
   */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** What has been started so far; {@link stopAll} stops whatever is there, in order. */
interface Started {
  app?: FastifyInstance;
  outbox?: Outbox<RevalDatabase>;
  aws?: AwsClients;
  indexDatabase?: Database<RevalIndexDatabase>;
  database?: Database<RevalDatabase>;
}

/**
 * The composition root of the repository-service (DESIGN.md §1, left-hand side): Postgres pools,
 * migrations, AWS clients, the outbox, and the HTTP server. A start that fails half-way stops what it
 * had started and rethrows.
 *
 * @example
 * const service = await startRepositoryService(loadConfig(), { logger: pino() });
 * process.once('SIGTERM', () => void service.stop());
 */
export async function startRepositoryService(
  config: RepositoryServiceConfig,
  options: { logger?: Logger } = {},
): Promise<RepositoryService> {
  const logger = options.logger ?? pino({ level: config.logLevel });
  const log = logger.child({ component: 'repository-service' });
  const started: Started = {};
  try {
    const pool = { logger, poolSize: POOL_SIZE, timeouts: config.postgresTimeouts };
    started.database = await openDatabase<RevalDatabase>(config.databaseUrl, { ...pool, variable: 'DATABASE_URL' });
    const { db } = started.database;
    started.indexDatabase = await openIndexDatabase<RevalIndexDatabase, RevalDatabase>(started.database, config, pool);
    const indexDb = started.indexDatabase.db;
    if (config.migrate) {
      await migrateRevalPrimary(db);
      // The console lists, replays and purges dead letters: the consumer's failed_messages.
      await migrateConsumer(db);
      await migrateRevalIndex(indexDb, config.indexSchema);
    }
    started.aws = createAwsClients(config.aws, { logger });
    started.outbox = createOutbox(
      { db, sns: started.aws.sns, logger },
      { topicPrefix: config.prefix, preparedStatements: config.preparedStatements },
    );
    started.app = await buildApp({ config, db, indexDb, outbox: started.outbox, logger, aws: started.aws });
    await started.app.listen({ host: config.host, port: config.port });
    const address = started.app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : config.port;
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    log.info({ url, prefix: config.prefix, indexSchema: config.indexSchema }, 'repository-service started');
    const app = started.app;
    let stopping: Promise<void> | undefined;
    const stop = () => {
      stopping ??= stopAll(started, log);
      return stopping;
    };
    return { url, app, stop, [Symbol.asyncDispose]: stop };
  } catch (err) {
    log.error({ err: toError(err) }, 'repository-service failed to start; stopping what had started');
    await stopAll(started, log);
    throw err;
  }
}

/**
 * Stops in dependency order. Each step runs even if an earlier one failed; the first failure is
 * rethrown at the end.
 */
async function stopAll(started: Started, log: Logger): Promise<void> {
  const failures: Error[] = [];
  const step = async (what: string, run: () => Promise<void> | void) => {
    try {
      await run();
    } catch (err) {
      log.error({ err: toError(err), step: what }, 'stopping a part of the repository-service failed');
      failures.push(toError(err));
    }
  };
  const { app, outbox, aws, indexDatabase, database } = started;
  if (app) await step('http', () => app.close());
  // G3: what the fast path has not sent yet stays unpublished in `changes` for the sweeper.
  if (outbox) await step('outbox', () => outbox.flush());
  if (aws) await step('aws', () => aws.destroy());
  if (indexDatabase) await step('index database', () => indexDatabase.close());
  if (database) await step('database', () => database.close());
  log.info('repository-service stopped');
  const [first] = failures;
  if (first) throw first;
}
