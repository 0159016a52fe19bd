import {
  failedMessagesRetentionOptionsSchema,
  workerDeclarationSchema,
  workerRuntimeOptionsSchema,
} from '@changeflow/consumer';
import { retentionOptionsSchema, sweeperOptionsSchema } from '@changeflow/outbox';
import { DEFAULT_DAILY_JOB_SCHEDULE, DEFAULT_INDEX_SCHEMA } from '@changeflow/reval';
import { z } from 'zod';

/**
 * One environment variable, declared once for every app that reads it: what it means, what it
 * accepts and its default. The apps pick the ones they read ({@link readConfig}); the READMEs'
 * configuration tables are generated from these declarations (`npm run config-tables`).
 */
export interface VariableDeclaration<T = unknown> {
  /** What the variable sets, one line, as the README shows it. */
  description: string;
  /** What it accepts, as the README shows it. */
  accepts: string;
  /** Reads the (trimmed, non-blank) value; its messages say what is accepted. */
  schema: z.ZodType<T, string>;
  /** The default, written as the variable would be; absent when there is none. */
  defaultValue?: string;
  /** A secret: an error shows only its length. */
  isSecret?: boolean;
  /** The message when an app requires it and it is unset. @defaultValue `'is required'` */
  requiredMessage?: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** Shortest accepted token: 16 characters, so a token cannot be guessed in any useful time. */
export const MIN_TOKEN_LENGTH = 16;
/**
 * Most lines per bulk-import batch: a batch is saved in one multi-row statement, the widest record (a
 * GMC doctor) binds 13 parameters a row, and one Postgres statement takes at most 65 535.
 */
export const MAX_BULK_BATCH_SIZE = 5000;

// Defaults come from the libraries' own schemas, so there is one home for each.
const sweeperDefaults = sweeperOptionsSchema.parse({});
const retentionDefaults = retentionOptionsSchema.parse({});
const failedMessagesRetentionDefaults = failedMessagesRetentionOptionsSchema.parse({});
const runtimeDefaults = workerRuntimeOptionsSchema.parse({ prefix: 'changeflow' });

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

const httpUrl = z
  .string()
  .refine(
    (value) => /^https?:$/.test(protocolOf(value)),
    'must be an http:// or https:// URL, e.g. http://127.0.0.1:4566',
  );

function wholeNumber(min: number, max: number) {
  const accepted = `must be a whole number from ${min} to ${max}`;
  return z.string().regex(/^\d+$/, accepted).transform(Number).pipe(z.number().min(min, accepted).max(max, accepted));
}

const flag = z
  .string()
  .toLowerCase()
  .pipe(z.enum(['true', 'false', '1', '0'], 'must be true or false (or 1 or 0)'))
  .transform((value) => value === 'true' || value === '1');

const logLevel = z
  .string()
  .toLowerCase()
  .pipe(z.enum(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(', ')}`));

// The worker schema holds the one rule for what a schedule is (node-cron, five or six fields).
const cronExpression = z
  .string()
  .refine(
    (value) => workerDeclarationSchema.shape.schedule.safeParse(value).success,
    'must be a node-cron expression: five fields, or six with seconds first ("*/5 * * * *")',
  );

const days = z
  .string()
  .regex(/^\d+(\.\d+)?$/, 'must be a number of days, 0 or more (fractions allowed, e.g. 0.5)')
  .transform(Number)
  .pipe(z.number().max(3650, 'must be at most 3650 days'));

const token = z
  .string()
  .min(MIN_TOKEN_LENGTH, `must be at least ${MIN_TOKEN_LENGTH} characters: use e.g. \`openssl rand -hex 32\``)
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces (it travels in an Authorization header)');

function tokenRequired(name: string): string {
  return `is required: set it to a long random secret, e.g. \`export ${name}=$(openssl rand -hex 32)\``;
}

/** Every variable any Changeflow app reads, each declared once. */
export const VARIABLES = {
  DATABASE_URL: {
    description:
      'Postgres with the reval primary tables, the outbox (`changes`, `failed_messages`) and `semaphore_slots`; `?options=-c search_path=…` picks a schema',
    accepts: 'postgres:// or postgresql:// URL',
    schema: postgresUrl,
    defaultValue: 'postgres://postgres@127.0.0.1:5432/postgres',
  },
  INDEX_DATABASE_URL: {
    description: 'Postgres with the reval indexes; unset: `DATABASE_URL` (the same pool when equal)',
    accepts: 'postgres:// or postgresql:// URL',
    schema: postgresUrl,
  },
  INDEX_SCHEMA: {
    description: 'schema of the reval index tables (a full sync builds `<schema>_sync_<id>` beside it)',
    accepts: 'lower-case Postgres identifier, at most 41 characters',
    // 41: the sync's generation schemas add `_retired_<job id>` and Postgres names stop at 63.
    schema: z
      .string()
      .regex(
        /^[a-z_][a-z0-9_]{0,40}$/,
        'must be a lower-case Postgres identifier of at most 41 characters (letters, digits, "_")',
      ),
    defaultValue: DEFAULT_INDEX_SCHEMA,
  },
  CHANGEFLOW_PREFIX: {
    description:
      'topics are `<prefix>-<objectType>`, queues `<prefix>-<worker>` and `<prefix>-<worker>-dlq`; every app of a deployment uses the same',
    accepts: '1-60 letters, digits, "-" or "_"',
    // The queue names' rule (SQS names stop at 80 characters) bounds every app: they share the prefix.
    schema: workerRuntimeOptionsSchema.shape.prefix,
    defaultValue: 'changeflow',
  },
  AWS_ENDPOINT_URL: {
    description:
      'SNS and SQS endpoint: the local SNS/SQS (`npm run aws-local`), LocalStack; unset: AWS itself. A non-AWS endpoint gets dummy credentials',
    accepts: 'http:// or https:// URL',
    schema: httpUrl,
  },
  AWS_REGION: {
    description:
      "region; unset: `AWS_DEFAULT_REGION`, the SDK's chain, `us-east-1` for a local endpoint. Credentials come from the SDK's chain",
    accepts: 'region name',
    schema: z.string(),
  },
  AWS_REQUEST_TIMEOUT_MS: {
    description:
      'one SNS/SQS attempt at most, in ms (also the longest a socket may sit silent): a 20 s long poll plus margin; the SDK retries a timed-out attempt',
    accepts: 'whole number 1-3600000',
    schema: wholeNumber(1, 3_600_000),
    defaultValue: '30000',
  },
  AWS_TOTAL_TIMEOUT_MS: {
    description: 'one SNS/SQS call at most, retries and backoff included, in ms; at least `AWS_REQUEST_TIMEOUT_MS`',
    accepts: 'whole number 1-3600000',
    schema: wholeNumber(1, 3_600_000),
    defaultValue: '60000',
  },
  PG_STATEMENT_TIMEOUT_MS: {
    description: 'Postgres cancels a statement of this app running longer (`statement_timeout`), in ms; 0: off',
    accepts: 'whole number 0-86400000',
    schema: wholeNumber(0, 86_400_000),
    defaultValue: '30000',
  },
  PG_PREPARED_STATEMENTS: {
    description:
      "send the outbox's recording statements and the reval projection's upserts as named prepared statements; false behind a pooler that cannot keep them (PgBouncer in transaction mode before 1.21, or without `max_prepared_statements`)",
    accepts: 'true, false, 1, 0',
    schema: flag,
    defaultValue: 'true',
  },
  PG_IDLE_IN_TRANSACTION_TIMEOUT_MS: {
    description:
      'Postgres ends a session of this app idle inside a transaction this long, releasing its locks (`idle_in_transaction_session_timeout`), in ms; 0: off',
    accepts: 'whole number 0-86400000',
    schema: wholeNumber(0, 86_400_000),
    defaultValue: '10000',
  },
  HOST: {
    description: 'interface the HTTP server listens on',
    accepts: 'host name or address',
    schema: z.string(),
    defaultValue: '127.0.0.1',
  },
  PORT: {
    description: 'port of the HTTP server; 0 picks a free one',
    accepts: 'whole number 0-65535',
    schema: wholeNumber(0, 65_535),
    defaultValue: '8080',
  },
  READ_TOKEN: {
    description: 'bearer token of the query routes',
    accepts: `printable ASCII, at least ${MIN_TOKEN_LENGTH} characters`,
    schema: token,
    isSecret: true,
    requiredMessage: tokenRequired('READ_TOKEN'),
  },
  WRITE_TOKEN: {
    description: "bearer token of the repository-service's write, import and sync routes (they grant the queries too)",
    accepts: `printable ASCII, at least ${MIN_TOKEN_LENGTH} characters`,
    schema: token,
    isSecret: true,
    requiredMessage: tokenRequired('WRITE_TOKEN'),
  },
  LOG_LEVEL: {
    description: 'pino level of the root logger (JSON lines)',
    accepts: LOG_LEVELS.join(', '),
    schema: logLevel,
    defaultValue: 'info',
  },
  BULK_BATCH_SIZE: {
    description: 'valid NDJSON lines committed per transaction of a bulk import',
    accepts: `whole number 1-${MAX_BULK_BATCH_SIZE}`,
    schema: wholeNumber(1, MAX_BULK_BATCH_SIZE),
    defaultValue: '500',
  },
  BULK_MAX_BYTES: {
    description: 'largest NDJSON import body, in bytes; past it the import stops with 413',
    accepts: 'whole number from 1024',
    schema: wholeNumber(1024, Number.MAX_SAFE_INTEGER),
    defaultValue: String(512 * 1024 * 1024),
  },
  MIGRATE: {
    description: "run the app's migrations at start (idempotent, safe from many instances)",
    accepts: 'true, false, 1, 0',
    schema: flag,
    defaultValue: 'true',
  },
  CHANGEFLOW_PROVISION: {
    description: 'create topics, queues, DLQs and subscriptions at start (idempotent)',
    accepts: 'true, false, 1, 0',
    schema: flag,
    defaultValue: String(runtimeDefaults.provision),
  },
  ADMIN_HOST: {
    description: 'interface of the admin HTTP; `0.0.0.0` to let Prometheus in from elsewhere',
    accepts: 'host name or address',
    schema: z.string(),
    defaultValue: '127.0.0.1',
  },
  ADMIN_PORT: {
    description: 'port of the admin HTTP (`/health`, `/ready`, `/metrics`); 0 picks a free one',
    accepts: 'whole number 0-65535',
    schema: wholeNumber(0, 65_535),
    defaultValue: '9464',
  },
  DRAIN_TIMEOUT_MS: {
    description: 'on stop, how long in-flight handlers may go on before their messages are handed back, in ms',
    accepts: 'whole number 0-3600000',
    schema: wholeNumber(0, 3_600_000),
    defaultValue: String(runtimeDefaults.drainTimeoutMs),
  },
  SWEEPER_SCHEDULE: {
    description: 'node-cron schedule of the outbox sweeper (one instance of the cluster at a time)',
    accepts: 'node-cron expression',
    schema: cronExpression,
    defaultValue: sweeperDefaults.schedule,
  },
  SWEEPER_GRACE_MS: {
    description: "a change unpublished this many ms is the sweeper's (the fast path's head start)",
    accepts: 'whole number 0-3600000',
    schema: wholeNumber(0, 3_600_000),
    defaultValue: String(sweeperDefaults.graceMs),
  },
  RETENTION_DAYS: {
    description: 'published changes older than this many days are deleted; unpublished ones never are',
    accepts: 'number of days 0-3650, fractions allowed',
    schema: days,
    defaultValue: String(retentionDefaults.retentionMs / DAY_MS),
  },
  FAILED_MESSAGES_RETENTION_DAYS: {
    description:
      '`failed_messages` rows whose last failure is older than this many days are deleted by the retention job; 0 keeps them',
    accepts: 'number of days 0-3650, fractions allowed',
    schema: days,
    defaultValue: String(failedMessagesRetentionDefaults.retentionMs / DAY_MS),
  },
  RETENTION_SCHEDULE: {
    description: 'node-cron schedule of the retention job',
    accepts: 'node-cron expression',
    schema: cronExpression,
    defaultValue: retentionDefaults.schedule,
  },
  DAILY_JOB_SCHEDULE: {
    description: 'node-cron schedule (Europe/London) of the reval daily recompute',
    accepts: 'node-cron expression',
    schema: cronExpression,
    defaultValue: DEFAULT_DAILY_JOB_SCHEDULE,
  },
  WORKERS_METRICS_URL: {
    description:
      "a workers process's `/metrics`, for the console's handler times (that process only); `npm start` sets it",
    accepts: 'http:// or https:// URL',
    schema: httpUrl,
  },
  REPOSITORY_URL: {
    description: 'base URL of the repository-service, for `changeflow sync`',
    accepts: 'http:// or https:// URL',
    schema: httpUrl,
    defaultValue: 'http://127.0.0.1:8080',
  },
} as const satisfies Record<string, VariableDeclaration>;

/** The name of a declared variable. */
export type VariableName = keyof typeof VARIABLES;
