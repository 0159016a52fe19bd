import { type AwsOptions, awsOptionsFromEnv } from '@changeflow/aws';
import { ConfigError, describeIssues } from '@changeflow/errors';
import { publisherOptionsSchema } from '@changeflow/outbox';
import { DEFAULT_INDEX_SCHEMA } from '@changeflow/reval';
import type { LevelWithSilent } from 'pino';
import { z } from 'zod';

/**
 * The one place the repository-service reads its environment (STYLE: only apps read env vars).
 * `repository-service/README.md` ("Configuration") lists the same variables with the same defaults.
 */

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
  /** `PG_STATEMENT_TIMEOUT_MS`, `PG_IDLE_IN_TRANSACTION_TIMEOUT_MS`: server-side limits on each Postgres connection (0: off). */
  postgresTimeouts: { statementTimeoutMs: number; idleInTransactionTimeoutMs: number };
  /** `MIGRATE`: run the reval primary (and outbox) and index migrations at start. */
  migrate: boolean;
  /**
   * `WORKERS_METRICS_URL`: the `/metrics` of a workers process, for the console's handler times;
   * unset, the console shows none.
   */
  workersMetricsUrl: string | undefined;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Shortest accepted token: 16 characters, so a token cannot be guessed in any useful time. */
export const MIN_TOKEN_LENGTH = 16;

/**
 * Most lines per batch: a batch is saved in one multi-row statement, the widest record (a GMC doctor)
 * binds 13 parameters a row, and one Postgres statement takes at most 65 535.
 */
export const MAX_BULK_BATCH_SIZE = 5000;

/** Documented defaults of the variables that have one (README "Configuration" shows the same). */
export const CONFIG_DEFAULTS = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
  INDEX_SCHEMA: DEFAULT_INDEX_SCHEMA,
  CHANGEFLOW_PREFIX: 'changeflow',
  HOST: '127.0.0.1',
  PORT: 8080,
  LOG_LEVEL: 'info',
  BULK_BATCH_SIZE: 500,
  BULK_MAX_BYTES: 512 * 1024 * 1024,
  MIGRATE: true,
  PG_STATEMENT_TIMEOUT_MS: 30_000,
  PG_IDLE_IN_TRANSACTION_TIMEOUT_MS: 10_000,
} as const;

/** An unset or blank variable (`FOO=` in a compose file) means "use the default". */
function blankToUndefined(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function variable<T extends z.ZodType>(schema: T) {
  return z.preprocess(blankToUndefined, schema);
}

function protocolOf(url: string): string {
  try {
    return new URL(url).protocol;
  } catch {
    return '';
  }
}

const postgresUrl = z.string().refine((value) => /^postgres(ql)?:$/.test(protocolOf(value)), {
  message: 'must be a postgres:// or postgresql:// URL, e.g. postgres://user:password@host:5432/database',
});

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

function token(name: string) {
  return variable(
    z
      .string({
        error: `is required: set it to a long random secret, e.g. \`export ${name}=$(openssl rand -hex 32)\``,
      })
      .min(MIN_TOKEN_LENGTH, `must be at least ${MIN_TOKEN_LENGTH} characters: use e.g. \`openssl rand -hex 32\``)
      .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces (it travels in an Authorization header)'),
  );
}

const environmentSchema = z
  .object({
    DATABASE_URL: variable(postgresUrl.default(CONFIG_DEFAULTS.DATABASE_URL)),
    INDEX_DATABASE_URL: variable(postgresUrl.optional()),
    INDEX_SCHEMA: variable(
      z
        .string()
        .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a Postgres schema name: lower-case letters, digits and "_"')
        .default(CONFIG_DEFAULTS.INDEX_SCHEMA),
    ),
    CHANGEFLOW_PREFIX: variable(publisherOptionsSchema.shape.topicPrefix.default(CONFIG_DEFAULTS.CHANGEFLOW_PREFIX)),
    AWS_ENDPOINT_URL: z
      .string()
      .refine(
        (value) => /^https?:$/.test(protocolOf(value)),
        'must be an http:// or https:// URL, e.g. http://127.0.0.1:4566',
      )
      .optional(),
    AWS_REGION: z.string().optional(),
    HOST: variable(z.string().default(CONFIG_DEFAULTS.HOST)),
    PORT: wholeNumber(0, 65_535, CONFIG_DEFAULTS.PORT),
    READ_TOKEN: token('READ_TOKEN'),
    WRITE_TOKEN: token('WRITE_TOKEN'),
    LOG_LEVEL: variable(
      z
        .string()
        .toLowerCase()
        .pipe(z.enum(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(', ')}`))
        .default(CONFIG_DEFAULTS.LOG_LEVEL),
    ),
    BULK_BATCH_SIZE: wholeNumber(1, MAX_BULK_BATCH_SIZE, CONFIG_DEFAULTS.BULK_BATCH_SIZE),
    BULK_MAX_BYTES: wholeNumber(1024, Number.MAX_SAFE_INTEGER, CONFIG_DEFAULTS.BULK_MAX_BYTES),
    MIGRATE: flag(CONFIG_DEFAULTS.MIGRATE),
    PG_STATEMENT_TIMEOUT_MS: wholeNumber(0, 86_400_000, CONFIG_DEFAULTS.PG_STATEMENT_TIMEOUT_MS),
    PG_IDLE_IN_TRANSACTION_TIMEOUT_MS: wholeNumber(0, 86_400_000, CONFIG_DEFAULTS.PG_IDLE_IN_TRANSACTION_TIMEOUT_MS),
    WORKERS_METRICS_URL: variable(
      z
        .string()
        .refine(
          (value) => /^https?:$/.test(protocolOf(value)),
          'must be an http:// or https:// URL, e.g. http://127.0.0.1:9464/metrics',
        )
        .optional(),
    ),
  })
  // Equal tokens would let every reader write.
  .refine((vars) => vars.READ_TOKEN !== vars.WRITE_TOKEN, {
    path: ['WRITE_TOKEN'],
    message: 'must differ from READ_TOKEN, or the read token would grant writes',
  });

/** The environment variables the repository-service reads, in the order the README lists them. */
export const CONFIG_VARIABLES = Object.keys(environmentSchema.shape) as ReadonlyArray<
  keyof typeof environmentSchema.shape
>;

/** Tokens are secrets: an error message shows only their length. */
const SECRET_VARIABLES = new Set<string>(['READ_TOKEN', 'WRITE_TOKEN']);

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
  const aws = awsOptionsFromEnv(env);
  const input: Record<string, unknown> = {};
  for (const name of CONFIG_VARIABLES) input[name] = env[name];
  // awsOptionsFromEnv owns the AWS names (AWS_DEFAULT_REGION is a fallback for AWS_REGION).
  input.AWS_ENDPOINT_URL = aws.endpoint;
  input.AWS_REGION = aws.region;
  const parsed = environmentSchema.safeParse(input);
  if (!parsed.success) {
    const shown = Object.fromEntries(
      Object.entries(input).map(([name, value]) =>
        SECRET_VARIABLES.has(name) && typeof value === 'string'
          ? [name, `<${value.length} characters>`]
          : [name, value],
      ),
    );
    throw new ConfigError(
      `invalid repository-service configuration: ${describeIssues(parsed.error.issues, shown)}; ` +
        'set each to an accepted value or unset it for its default (repository-service/README.md, "Configuration")',
      { cause: parsed.error },
    );
  }
  const vars = parsed.data;
  return {
    databaseUrl: vars.DATABASE_URL,
    indexDatabaseUrl: vars.INDEX_DATABASE_URL ?? vars.DATABASE_URL,
    indexSchema: vars.INDEX_SCHEMA,
    prefix: vars.CHANGEFLOW_PREFIX,
    aws: { ...aws, endpoint: vars.AWS_ENDPOINT_URL, region: vars.AWS_REGION },
    host: vars.HOST,
    port: vars.PORT,
    readToken: vars.READ_TOKEN,
    writeToken: vars.WRITE_TOKEN,
    logLevel: vars.LOG_LEVEL,
    bulkBatchSize: vars.BULK_BATCH_SIZE,
    bulkMaxBytes: vars.BULK_MAX_BYTES,
    migrate: vars.MIGRATE,
    postgresTimeouts: {
      statementTimeoutMs: vars.PG_STATEMENT_TIMEOUT_MS,
      idleInTransactionTimeoutMs: vars.PG_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    },
    workersMetricsUrl: vars.WORKERS_METRICS_URL,
  };
}
