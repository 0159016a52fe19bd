import { type AwsOptions, awsOptionsFromEnv } from '@changeflow/aws';
import { workerRuntimeOptionsSchema } from '@changeflow/consumer';
import { ConfigError, describeIssues } from '@changeflow/errors';
import { DEFAULT_INDEX_SCHEMA } from '@changeflow/reval';
import type { LevelWithSilent } from 'pino';
import { z } from 'zod';

/**
 * The one place the `changeflow` command reads its environment (STYLE: only apps read env vars).
 * `packages/cli/README.md` ("Configuration") lists the same variables with the same defaults.
 */

/** Everything the CLI is configured with, after defaults and flag overrides. Built by {@link loadConfig}. */
export interface CliConfig {
  /** `DATABASE_URL` (`--database-url`): Postgres holding `changes`, `failed_messages`, `semaphore_slots`. */
  databaseUrl: string;
  /** `INDEX_DATABASE_URL`: Postgres holding the reval indexes; `DATABASE_URL` when unset. */
  indexDatabaseUrl: string;
  /** `INDEX_SCHEMA`: the schema of the reval index tables. */
  indexSchema: string;
  /** `CHANGEFLOW_PREFIX` (`--prefix`): topics are `<prefix>-<objectType>`, queues `<prefix>-<worker>[-dlq]`. */
  prefix: string;
  /** `AWS_ENDPOINT_URL`, `AWS_REGION` (or `AWS_DEFAULT_REGION`); credentials stay with the SDK's chain. */
  aws: AwsOptions;
  /** `REPOSITORY_URL`: base URL of the repository-service, for `changeflow sync`. */
  repositoryUrl: string;
  /** `WRITE_TOKEN`: bearer token of the repository-service's write routes; only `sync` needs it. */
  writeToken: string | undefined;
  /** `LOG_LEVEL`: pino level of the CLI's own log (stderr). */
  logLevel: LevelWithSilent;
}

/** Flags that override a variable; `undefined` keeps the variable's value. */
export interface ConfigOverrides {
  /** `--database-url` */
  databaseUrl?: string;
  /** `--prefix` */
  prefix?: string;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Documented defaults of the variables that have one (README "Configuration" shows the same). */
export const CONFIG_DEFAULTS = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
  INDEX_SCHEMA: DEFAULT_INDEX_SCHEMA,
  CHANGEFLOW_PREFIX: 'changeflow',
  REPOSITORY_URL: 'http://127.0.0.1:8080',
  LOG_LEVEL: 'warn',
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

const environmentSchema = z.object({
  DATABASE_URL: variable(postgresUrl.default(CONFIG_DEFAULTS.DATABASE_URL)),
  INDEX_DATABASE_URL: variable(postgresUrl.optional()),
  INDEX_SCHEMA: variable(
    z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case Postgres identifier (letters, digits, "_")')
      .default(CONFIG_DEFAULTS.INDEX_SCHEMA),
  ),
  CHANGEFLOW_PREFIX: variable(workerRuntimeOptionsSchema.shape.prefix.default(CONFIG_DEFAULTS.CHANGEFLOW_PREFIX)),
  AWS_ENDPOINT_URL: z
    .string()
    .refine(
      (value) => /^https?:$/.test(protocolOf(value)),
      'must be an http:// or https:// URL, e.g. http://127.0.0.1:4566',
    )
    .optional(),
  AWS_REGION: z.string().optional(),
  REPOSITORY_URL: variable(
    z
      .string()
      .refine((value) => /^https?:$/.test(protocolOf(value)), 'must be an http:// or https:// URL')
      .default(CONFIG_DEFAULTS.REPOSITORY_URL),
  ),
  WRITE_TOKEN: variable(z.string().optional()),
  LOG_LEVEL: variable(
    z
      .string()
      .toLowerCase()
      .pipe(z.enum(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(', ')}`))
      .default(CONFIG_DEFAULTS.LOG_LEVEL),
  ),
});

/** The environment variables the CLI reads, in the order the README lists them. */
export const CONFIG_VARIABLES = Object.keys(environmentSchema.shape) as ReadonlyArray<
  keyof typeof environmentSchema.shape
>;

/**
 * Reads and validates the CLI's environment once; flags in `overrides` win over their variables.
 * Throws a `ConfigError` listing every bad variable (or flag) with its value and what it accepts.
 *
 * @example
 * const config = loadConfig(process.env, { prefix: opts.prefix, databaseUrl: opts.databaseUrl });
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: ConfigOverrides = {}): CliConfig {
  const aws = awsOptionsFromEnv(env);
  const input: Record<string, unknown> = {};
  for (const name of CONFIG_VARIABLES) input[name] = env[name];
  // awsOptionsFromEnv owns the AWS names (AWS_DEFAULT_REGION is a fallback for AWS_REGION).
  input.AWS_ENDPOINT_URL = aws.endpoint;
  input.AWS_REGION = aws.region;
  if (overrides.databaseUrl !== undefined) input.DATABASE_URL = overrides.databaseUrl;
  if (overrides.prefix !== undefined) input.CHANGEFLOW_PREFIX = overrides.prefix;
  const parsed = environmentSchema.safeParse(input);
  if (!parsed.success) {
    const flags = issuesOnFlags(parsed.error.issues, overrides);
    throw new ConfigError(
      `invalid configuration: ${describeIssues(parsed.error.issues, input)}; ` +
        `set each to an accepted value${flags ? ` (${flags})` : ''} or unset it for its default ` +
        '(packages/cli/README.md, "Configuration")',
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
    repositoryUrl: vars.REPOSITORY_URL.replace(/\/+$/, ''),
    writeToken: vars.WRITE_TOKEN,
    logLevel: vars.LOG_LEVEL,
  };
}

/** Names the flags behind bad values, so the message points at what the user typed. */
function issuesOnFlags(issues: readonly z.core.$ZodIssue[], overrides: ConfigOverrides): string {
  const names = new Set(issues.map((issue) => String(issue.path[0])));
  const flags: string[] = [];
  if (names.has('DATABASE_URL') && overrides.databaseUrl !== undefined)
    flags.push('DATABASE_URL came from --database-url');
  if (names.has('CHANGEFLOW_PREFIX') && overrides.prefix !== undefined)
    flags.push('CHANGEFLOW_PREFIX came from --prefix');
  return flags.join(', ');
}
