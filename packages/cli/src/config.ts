import { AWS_VARIABLES, awsOptionsOf, readConfig } from '@changeflow/app-kit';
import type { AwsOptions } from '@changeflow/aws';
import type { LevelWithSilent } from 'pino';

/**
 * The variables the `changeflow` command reads (STYLE: only apps read env vars), each declared once
 * in `@changeflow/app-kit`. `packages/cli/README.md` ("Configuration") shows the table generated from them.
 */
export const CLI_VARIABLES = {
  DATABASE_URL: { note: 'flag `--database-url`' },
  INDEX_DATABASE_URL: {},
  INDEX_SCHEMA: {},
  CHANGEFLOW_PREFIX: { note: 'flag `--prefix`' },
  ...AWS_VARIABLES,
  REPOSITORY_URL: {},
  WRITE_TOKEN: { note: 'only `sync` needs it' },
  // The CLI's own log goes to stderr beside its output: warnings only, unless asked.
  LOG_LEVEL: { defaultValue: 'warn' },
} as const;

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

/**
 * Reads and validates the CLI's environment once; flags in `overrides` win over their variables.
 * Throws a `ConfigError` listing every bad variable (or flag) with its value and what it accepts.
 *
 * @example
 * const config = loadConfig(process.env, { prefix: opts.prefix, databaseUrl: opts.databaseUrl });
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: ConfigOverrides = {}): CliConfig {
  const merged = { ...env };
  if (overrides.databaseUrl !== undefined) merged.DATABASE_URL = overrides.databaseUrl;
  if (overrides.prefix !== undefined) merged.CHANGEFLOW_PREFIX = overrides.prefix;
  const vars = readConfig(CLI_VARIABLES, merged, {
    app: 'changeflow',
    readme: 'packages/cli/README.md',
    hint: (bad) => issuesOnFlags(bad, overrides),
  });
  return {
    databaseUrl: vars.DATABASE_URL,
    indexDatabaseUrl: vars.INDEX_DATABASE_URL ?? vars.DATABASE_URL,
    indexSchema: vars.INDEX_SCHEMA,
    prefix: vars.CHANGEFLOW_PREFIX,
    aws: awsOptionsOf(vars),
    repositoryUrl: vars.REPOSITORY_URL.replace(/\/+$/, ''),
    writeToken: vars.WRITE_TOKEN,
    logLevel: vars.LOG_LEVEL,
  };
}

/** Names the flags behind bad values, so the message points at what the user typed. */
function issuesOnFlags(names: ReadonlySet<string>, overrides: ConfigOverrides): string {
  const flags: string[] = [];
  if (names.has('DATABASE_URL') && overrides.databaseUrl !== undefined)
    flags.push('DATABASE_URL came from --database-url');
  if (names.has('CHANGEFLOW_PREFIX') && overrides.prefix !== undefined)
    flags.push('CHANGEFLOW_PREFIX came from --prefix');
  return flags.join(', ');
}
