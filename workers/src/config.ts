import { AWS_VARIABLES, awsOptionsOf, postgresTimeoutsOf, readConfig } from '@changeflow/app-kit';
import type { AwsOptions } from '@changeflow/aws';
import type { LevelWithSilent } from 'pino';

/**
 * The variables the workers deployment reads (STYLE: only apps read env vars), each declared once in
 * `@changeflow/app-kit`. `workers/README.md` ("Configuration") shows the table generated from them.
 */
export const WORKERS_VARIABLES = {
  DATABASE_URL: {},
  ...AWS_VARIABLES,
  CHANGEFLOW_PREFIX: {},
  CHANGEFLOW_PROVISION: {},
  ADMIN_HOST: {},
  ADMIN_PORT: {},
  LOG_LEVEL: {},
  DRAIN_TIMEOUT_MS: {},
  SWEEPER_SCHEDULE: {},
  SWEEPER_GRACE_MS: {},
  RETENTION_DAYS: {},
  RETENTION_SCHEDULE: {},
  FAILED_MESSAGES_RETENTION_DAYS: {},
  MIGRATE: {},
  // The full sync's statements run in the workers: longer limits than the API's.
  PG_STATEMENT_TIMEOUT_MS: { defaultValue: '600000' },
  PG_IDLE_IN_TRANSACTION_TIMEOUT_MS: { defaultValue: '60000' },
  PG_PREPARED_STATEMENTS: {},
  INDEX_DATABASE_URL: {},
  INDEX_SCHEMA: {},
  DAILY_JOB_SCHEDULE: {},
} as const;

/** Everything the workers app is configured with, after defaults. Built by {@link loadConfig}. */
export interface WorkersConfig {
  /** `DATABASE_URL`: Postgres holding the outbox (`changes`, `failed_messages`) and `semaphore_slots`. */
  databaseUrl: string;
  /** `AWS_ENDPOINT_URL`, `AWS_REGION` (or `AWS_DEFAULT_REGION`); credentials stay with the SDK's chain. */
  aws: AwsOptions;
  /** `CHANGEFLOW_PREFIX`: topic and queue names are `<prefix>-<objectType>` and `<prefix>-<worker>`. */
  prefix: string;
  /** `CHANGEFLOW_PROVISION`: create topics, queues and subscriptions at start (idempotent). */
  provision: boolean;
  /** `ADMIN_HOST`: interface of the admin HTTP port. */
  adminHost: string;
  /** `ADMIN_PORT`: port of the admin HTTP (`/health`, `/ready`, `/metrics`); 0 picks a free one. */
  adminPort: number;
  /** `LOG_LEVEL`: pino level of the root logger. */
  logLevel: LevelWithSilent;
  /** `DRAIN_TIMEOUT_MS`: on stop, how long in-flight handlers may go on before their messages are handed back. */
  drainTimeoutMs: number;
  /** `SWEEPER_SCHEDULE`, `SWEEPER_GRACE_MS`: the outbox sweeper (one instance of the cluster at a time). */
  sweeper: { schedule: string; graceMs: number };
  /**
   * `RETENTION_SCHEDULE`, `RETENTION_DAYS`, `FAILED_MESSAGES_RETENTION_DAYS`: deleting old published
   * changes and old `failed_messages` rows.
   */
  retention: { schedule: string; retentionMs: number; failedMessagesRetentionMs: number };
  /** `PG_STATEMENT_TIMEOUT_MS`, `PG_IDLE_IN_TRANSACTION_TIMEOUT_MS`: server-side limits on every connection. */
  postgresTimeouts: { statementTimeoutMs: number; idleInTransactionTimeoutMs: number };
  /** `PG_PREPARED_STATEMENTS`: the outbox's recording statements and the reval projection's upserts as named prepared statements. */
  preparedStatements: boolean;
  /** `MIGRATE`: run the migrations (outbox, semaphore, reval primary and index) at start. */
  migrate: boolean;
  /** `INDEX_DATABASE_URL`: Postgres of the reval index store; the same as `DATABASE_URL` when unset. */
  indexDatabaseUrl: string;
  /** `INDEX_SCHEMA`: schema of the reval indexes. */
  indexSchema: string;
  /** `DAILY_JOB_SCHEDULE`: node-cron expression (Europe/London) of the reval daily recompute. */
  dailyJobSchedule: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The environment variables the workers read, in the order the README lists them. */
export const CONFIG_VARIABLES = Object.keys(WORKERS_VARIABLES) as ReadonlyArray<keyof typeof WORKERS_VARIABLES>;

/**
 * Reads and validates the workers' environment once. Unset or blank variables take their defaults.
 * Throws a `ConfigError` listing every bad variable with its value and what it accepts.
 *
 * @example
 * const config = loadConfig(); // process.env
 * const testConfig = loadConfig({ DATABASE_URL: url, AWS_ENDPOINT_URL: endpoint, ADMIN_PORT: '0' });
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): WorkersConfig {
  const vars = readConfig(WORKERS_VARIABLES, env, { app: 'workers', readme: 'workers/README.md' });
  return {
    databaseUrl: vars.DATABASE_URL,
    aws: awsOptionsOf(vars),
    prefix: vars.CHANGEFLOW_PREFIX,
    provision: vars.CHANGEFLOW_PROVISION,
    adminHost: vars.ADMIN_HOST,
    adminPort: vars.ADMIN_PORT,
    logLevel: vars.LOG_LEVEL,
    drainTimeoutMs: vars.DRAIN_TIMEOUT_MS,
    sweeper: { schedule: vars.SWEEPER_SCHEDULE, graceMs: vars.SWEEPER_GRACE_MS },
    retention: {
      schedule: vars.RETENTION_SCHEDULE,
      retentionMs: Math.round(vars.RETENTION_DAYS * DAY_MS),
      failedMessagesRetentionMs: Math.round(vars.FAILED_MESSAGES_RETENTION_DAYS * DAY_MS),
    },
    postgresTimeouts: postgresTimeoutsOf(vars),
    preparedStatements: vars.PG_PREPARED_STATEMENTS,
    migrate: vars.MIGRATE,
    indexDatabaseUrl: vars.INDEX_DATABASE_URL ?? vars.DATABASE_URL,
    indexSchema: vars.INDEX_SCHEMA,
    dailyJobSchedule: vars.DAILY_JOB_SCHEDULE,
  };
}
