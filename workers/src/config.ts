import { type AwsOptions, awsOptionsFromEnv } from '@changeflow/aws';
import { workerDefinitionSchema, workerRuntimeOptionsSchema } from '@changeflow/consumer';
import { ConfigError, describeIssues } from '@changeflow/errors';
import { retentionOptionsSchema, sweeperOptionsSchema } from '@changeflow/outbox';
import type { LevelWithSilent } from 'pino';
import { z } from 'zod';

/**
 * The one place the workers deployment reads its environment (STYLE: only apps read env vars).
 * `workers/README.md` ("Configuration") lists the same variables; the config test checks the defaults.
 */

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
  /** `PG_STATEMENT_TIMEOUT_MS`, `PG_IDLE_IN_TRANSACTION_TIMEOUT_MS`: server-side limits on each Postgres connection (0: off). */
  postgresTimeouts: { statementTimeoutMs: number; idleInTransactionTimeoutMs: number };
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
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

// Defaults come from the libraries' own schemas, so there is one home for each.
const sweeperDefaults = sweeperOptionsSchema.parse({});
const retentionDefaults = retentionOptionsSchema.parse({});
const runtimeDefaults = workerRuntimeOptionsSchema.parse({ prefix: 'changeflow' });

/** Documented defaults of the variables that have one (README "Configuration" shows the same). */
export const CONFIG_DEFAULTS = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
  CHANGEFLOW_PREFIX: 'changeflow',
  CHANGEFLOW_PROVISION: runtimeDefaults.provision,
  ADMIN_HOST: '127.0.0.1',
  ADMIN_PORT: 9464,
  LOG_LEVEL: 'info',
  DRAIN_TIMEOUT_MS: runtimeDefaults.drainTimeoutMs,
  SWEEPER_SCHEDULE: sweeperDefaults.schedule,
  SWEEPER_GRACE_MS: sweeperDefaults.graceMs,
  RETENTION_DAYS: retentionDefaults.retentionMs / DAY_MS,
  RETENTION_SCHEDULE: retentionDefaults.schedule,
  FAILED_MESSAGES_RETENTION_DAYS: retentionDefaults.failedMessagesRetentionMs / DAY_MS,
  MIGRATE: true,
  PG_STATEMENT_TIMEOUT_MS: 600_000,
  PG_IDLE_IN_TRANSACTION_TIMEOUT_MS: 60_000,
  INDEX_SCHEMA: 'reval_index',
  DAILY_JOB_SCHEDULE: '0 5 0 * * *',
} as const;

/** An unset or blank variable (`FOO=` in a compose file) means "use the default". */
function blankToUndefined(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function protocolOf(url: string): string {
  try {
    return new URL(url).protocol;
  } catch {
    return '';
  }
}

function variable<T extends z.ZodType>(schema: T) {
  return z.preprocess(blankToUndefined, schema);
}

function wholeNumber(min: number, max: number, fallback: number) {
  const accepted = `must be a whole number from ${min} to ${max}`;
  return variable(
    z
      .string()
      .regex(/^\d+$/, accepted)
      .transform(Number)
      .pipe(z.number().min(min, accepted).max(max, accepted))
      .default(fallback),
  );
}

function flag(fallback: boolean) {
  return variable(
    z
      .string()
      .toLowerCase()
      .pipe(z.enum(['true', 'false', '1', '0'], 'must be true or false (or 1 or 0)'))
      .transform((value) => value === 'true' || value === '1')
      .default(fallback),
  );
}

function days(fallback: number) {
  return variable(
    z
      .string()
      .regex(/^\d+(\.\d+)?$/, 'must be a number of days, 0 or more (fractions allowed, e.g. 0.5)')
      .transform(Number)
      .pipe(z.number().max(3650, 'must be at most 3650 days'))
      .default(fallback),
  );
}

function cronExpression(fallback: string) {
  // The worker schema holds the one rule for what a schedule is (node-cron, five or six fields).
  const isSchedule = (value: string) => workerDefinitionSchema.shape.schedule.safeParse(value).success;
  return variable(
    z
      .string()
      .refine(isSchedule, 'must be a node-cron expression: five fields, or six with seconds first ("*/5 * * * *")')
      .default(fallback),
  );
}

const environmentSchema = z.object({
  DATABASE_URL: variable(
    z
      .string()
      .refine((value) => /^postgres(ql)?:$/.test(protocolOf(value)), {
        message: 'must be a postgres:// or postgresql:// URL, e.g. postgres://user:password@host:5432/database',
      })
      .default(CONFIG_DEFAULTS.DATABASE_URL),
  ),
  AWS_ENDPOINT_URL: z
    .string()
    .refine(
      (value) => /^https?:$/.test(protocolOf(value)),
      'must be an http:// or https:// URL, e.g. http://127.0.0.1:4566',
    )
    .optional(),
  AWS_REGION: z.string().optional(),
  CHANGEFLOW_PREFIX: variable(workerRuntimeOptionsSchema.shape.prefix.default(CONFIG_DEFAULTS.CHANGEFLOW_PREFIX)),
  CHANGEFLOW_PROVISION: flag(CONFIG_DEFAULTS.CHANGEFLOW_PROVISION),
  ADMIN_HOST: variable(z.string().default(CONFIG_DEFAULTS.ADMIN_HOST)),
  ADMIN_PORT: wholeNumber(0, 65_535, CONFIG_DEFAULTS.ADMIN_PORT),
  LOG_LEVEL: variable(
    z
      .string()
      .toLowerCase()
      .pipe(z.enum(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(', ')}`))
      .default(CONFIG_DEFAULTS.LOG_LEVEL),
  ),
  DRAIN_TIMEOUT_MS: wholeNumber(0, 3_600_000, CONFIG_DEFAULTS.DRAIN_TIMEOUT_MS),
  SWEEPER_SCHEDULE: cronExpression(CONFIG_DEFAULTS.SWEEPER_SCHEDULE),
  SWEEPER_GRACE_MS: wholeNumber(0, 3_600_000, CONFIG_DEFAULTS.SWEEPER_GRACE_MS),
  RETENTION_DAYS: days(CONFIG_DEFAULTS.RETENTION_DAYS),
  RETENTION_SCHEDULE: cronExpression(CONFIG_DEFAULTS.RETENTION_SCHEDULE),
  FAILED_MESSAGES_RETENTION_DAYS: days(CONFIG_DEFAULTS.FAILED_MESSAGES_RETENTION_DAYS),
  MIGRATE: flag(CONFIG_DEFAULTS.MIGRATE),
  PG_STATEMENT_TIMEOUT_MS: wholeNumber(0, 86_400_000, CONFIG_DEFAULTS.PG_STATEMENT_TIMEOUT_MS),
  PG_IDLE_IN_TRANSACTION_TIMEOUT_MS: wholeNumber(0, 86_400_000, CONFIG_DEFAULTS.PG_IDLE_IN_TRANSACTION_TIMEOUT_MS),
  INDEX_DATABASE_URL: variable(
    z
      .string()
      .refine((value) => /^postgres(ql)?:$/.test(protocolOf(value)), {
        message: 'must be a postgres:// or postgresql:// URL (unset: the same as DATABASE_URL)',
      })
      .optional(),
  ),
  INDEX_SCHEMA: variable(
    z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,40}$/, 'must be a lower-case SQL identifier of at most 41 characters')
      .default(CONFIG_DEFAULTS.INDEX_SCHEMA),
  ),
  DAILY_JOB_SCHEDULE: cronExpression(CONFIG_DEFAULTS.DAILY_JOB_SCHEDULE),
});

/** The environment variables the workers read, in the order the README lists them. */
export const CONFIG_VARIABLES = Object.keys(environmentSchema.shape) as ReadonlyArray<
  keyof typeof environmentSchema.shape
>;

/**
 * Reads and validates the workers' environment once. Unset or blank variables take their defaults.
 * Throws a `ConfigError` listing every bad variable with its value and what it accepts.
 *
 * @example
 * const config = loadConfig(); // process.env
 * const testConfig = loadConfig({ DATABASE_URL: url, AWS_ENDPOINT_URL: endpoint, ADMIN_PORT: '0' });
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): WorkersConfig {
  const aws = awsOptionsFromEnv(env);
  const input: Record<string, unknown> = {};
  for (const name of CONFIG_VARIABLES) input[name] = env[name];
  // awsOptionsFromEnv owns the AWS names (AWS_DEFAULT_REGION is a fallback for AWS_REGION).
  input.AWS_ENDPOINT_URL = aws.endpoint;
  input.AWS_REGION = aws.region;
  const parsed = environmentSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(
      `invalid workers configuration: ${describeIssues(parsed.error.issues, input)}; ` +
        'set each to an accepted value or unset it for its default (workers/README.md, "Configuration")',
      { cause: parsed.error },
    );
  }
  const vars = parsed.data;
  return {
    databaseUrl: vars.DATABASE_URL,
    aws: { ...aws, endpoint: vars.AWS_ENDPOINT_URL, region: vars.AWS_REGION },
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
    migrate: vars.MIGRATE,
    postgresTimeouts: {
      statementTimeoutMs: vars.PG_STATEMENT_TIMEOUT_MS,
      idleInTransactionTimeoutMs: vars.PG_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    },
    indexDatabaseUrl: vars.INDEX_DATABASE_URL ?? vars.DATABASE_URL,
    indexSchema: vars.INDEX_SCHEMA,
    dailyJobSchedule: vars.DAILY_JOB_SCHEDULE,
  };
}
