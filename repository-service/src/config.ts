import { AWS_VARIABLES, awsOptionsOf, postgresTimeoutsOf, readConfig } from '@changeflow/app-kit';
import type { AwsOptions } from '@changeflow/aws';
import type { LevelWithSilent } from 'pino';

/**
 * The variables the repository-service reads (STYLE: only apps read env vars), each declared once in
 * `@changeflow/app-kit`. `repository-service/README.md` ("Configuration") shows the table generated
 * from them.
 */
export const REPOSITORY_SERVICE_VARIABLES = {
  DATABASE_URL: {},
  INDEX_DATABASE_URL: {},
  INDEX_SCHEMA: {},
  CHANGEFLOW_PREFIX: {},
  ...AWS_VARIABLES,
  HOST: {},
  PORT: {},
  READ_TOKEN: { isRequired: true },
  WRITE_TOKEN: { isRequired: true },
  LOG_LEVEL: {},
  BULK_BATCH_SIZE: {},
  BULK_MAX_BYTES: {},
  MIGRATE: {},
  PG_STATEMENT_TIMEOUT_MS: {},
  PG_IDLE_IN_TRANSACTION_TIMEOUT_MS: {},
  PG_PREPARED_STATEMENTS: {},
  WORKERS_METRICS_URL: {},
} as const;

/** Everything the repository-service is configured with, after defaults. Built by {@link loadConfig}. */
export interface RepositoryServiceConfig {
  /** `DATABASE_URL`: Postgres holding the primary reval tables and the outbox's `changes`. */
  databaseUrl: string;
  /** `INDEX_DATABASE_URL`: Postgres holding the reval indexes the queries read; `DATABASE_URL` when unset. */
  indexDatabaseUrl: string;
  /** `INDEX_SCHEMA`: the schema of the reval index tables (the workers project into it). */
  indexSchema: string;
  /** `CHANGEFLOW_PREFIX`: changes are published to the topics `<prefix>-<objectType>`. */
  prefix: string;
  /** `AWS_ENDPOINT_URL`, `AWS_REGION` (or `AWS_DEFAULT_REGION`); credentials stay with the SDK's chain. */
  aws: AwsOptions;
  /** `HOST`: interface the HTTP server listens on. */
  host: string;
  /** `PORT`: port of the HTTP server; 0 picks a free one. */
  port: number;
  /** `READ_TOKEN`: bearer token of the query routes. */
  readToken: string;
  /** `WRITE_TOKEN`: bearer token of the write and import routes; it grants the query routes too. */
  writeToken: string;
  /** `LOG_LEVEL`: pino level of the root logger. */
  logLevel: LevelWithSilent;
  /** `BULK_BATCH_SIZE`: valid NDJSON lines committed per transaction (one `outbox.transaction` each). */
  bulkBatchSize: number;
  /** `BULK_MAX_BYTES`: largest NDJSON import body, in bytes; past it the import stops with 413. */
  bulkMaxBytes: number;
  /** `MIGRATE`: run the reval primary (and outbox) and index migrations at start. */
  migrate: boolean;
  /** `PG_STATEMENT_TIMEOUT_MS`, `PG_IDLE_IN_TRANSACTION_TIMEOUT_MS`: server-side limits on every connection. */
  postgresTimeouts: { statementTimeoutMs: number; idleInTransactionTimeoutMs: number };
  /** `PG_PREPARED_STATEMENTS`: the outbox's recording statements and the reval projection's upserts as named prepared statements. */
  preparedStatements: boolean;
  /** `WORKERS_METRICS_URL`: a workers process's `/metrics`, for the console's handler times. */
  workersMetricsUrl: string | undefined;
}

/**
 * Reads and validates the repository-service's environment once. Unset or blank variables take
 * their defaults; `READ_TOKEN` and `WRITE_TOKEN` have none. Throws a `ConfigError` listing every bad
 * variable with its value (tokens masked) and what it accepts.
 *
 * @example
 * const config = loadConfig(); // process.env
 * const testConfig = loadConfig({ DATABASE_URL: url, READ_TOKEN: 'r'.repeat(32), WRITE_TOKEN: 'w'.repeat(32) });
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): RepositoryServiceConfig {
  const vars = readConfig(REPOSITORY_SERVICE_VARIABLES, env, {
    app: 'repository-service',
    readme: 'repository-service/README.md',
    // Equal tokens would let every reader write.
    refine: (values, ctx) => {
      if (values.READ_TOKEN === values.WRITE_TOKEN) {
        ctx.addIssue({
          code: 'custom',
          path: ['WRITE_TOKEN'],
          message: 'must differ from READ_TOKEN, or the read token would grant writes',
        });
      }
    },
  });
  return {
    databaseUrl: vars.DATABASE_URL,
    indexDatabaseUrl: vars.INDEX_DATABASE_URL ?? vars.DATABASE_URL,
    indexSchema: vars.INDEX_SCHEMA,
    prefix: vars.CHANGEFLOW_PREFIX,
    aws: awsOptionsOf(vars),
    host: vars.HOST,
    port: vars.PORT,
    readToken: vars.READ_TOKEN,
    writeToken: vars.WRITE_TOKEN,
    logLevel: vars.LOG_LEVEL,
    bulkBatchSize: vars.BULK_BATCH_SIZE,
    bulkMaxBytes: vars.BULK_MAX_BYTES,
    migrate: vars.MIGRATE,
    postgresTimeouts: postgresTimeoutsOf(vars),
    preparedStatements: vars.PG_PREPARED_STATEMENTS,
    workersMetricsUrl: vars.WORKERS_METRICS_URL,
  };
}
