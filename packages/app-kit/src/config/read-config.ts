import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { awsOptionsFromEnv } from '@changeflow/aws';
import { ConfigError, describeIssues } from '@changeflow/errors';
import { z } from 'zod';
import { VARIABLES, type VariableName } from './variables.js';

/** How an app reads one variable: as declared, or required, or with a default of its own. */
export interface VariableUse {
  /** Unset is an error (the declaration's `requiredMessage` says what to do). */
  isRequired?: boolean;
  /** This app's default, written as the variable would be; it wins over the declared one. */
  defaultValue?: string;
  /** What this app adds to the meaning in its README table, e.g. the flag that overrides it. */
  note?: string;
}

/** The variables an app reads and how. */
export type VariableUses = Partial<Record<VariableName, VariableUse>>;

type Declared = typeof VARIABLES;
type ValueOf<N extends VariableName> = z.output<Declared[N]['schema']>;
type HasValue<N extends VariableName, U> = U extends { isRequired: true } | { defaultValue: string }
  ? true
  : Declared[N] extends { defaultValue: string }
    ? true
    : false;

/** The values of the variables in `U`: those with a default or required are always there. */
export type ConfigValues<U extends VariableUses> = {
  [N in keyof U & VariableName]: HasValue<N, U[N]> extends true ? ValueOf<N> : ValueOf<N> | undefined;
};

/** Where an app's variables are documented, for the error's last words. */
export interface ReadConfigOptions {
  /** Names the app in the error: `invalid <app> configuration: …`. */
  app: string;
  /** Where the variables are documented, e.g. `workers/README.md`. */
  readme: string;
  /** Added to the advice given the names of the bad variables, e.g. which flag a bad value came from. */
  hint?: (badNames: ReadonlySet<string>) => string;
  /** Cross-variable rules, checked once each variable is valid. */
  refine?: (values: Record<string, unknown>, ctx: z.RefinementCtx) => void;
}

/** Names the env file to read, if any: `CHANGEFLOW_ENV_FILE=/etc/changeflow.env`. */
export const ENV_FILE_VARIABLE = 'CHANGEFLOW_ENV_FILE';

/** An unset or blank variable (`FOO=` in a compose file) means "use the default". */
function blankToUndefined(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function schemaOf(name: VariableName, use: VariableUse): z.ZodType {
  const declared: { schema: z.ZodType<unknown, string>; defaultValue?: string; requiredMessage?: string } =
    VARIABLES[name];
  const fallback = use.defaultValue ?? declared.defaultValue;
  const value =
    use.isRequired === true
      ? z.string({ error: declared.requiredMessage ?? 'is required' }).pipe(declared.schema)
      : fallback === undefined
        ? declared.schema.optional()
        : declared.schema.optional().transform((parsed) => parsed ?? declared.schema.parse(fallback));
  return z.preprocess(blankToUndefined, value);
}

/**
 * The environment an app reads: `env` itself, over the `KEY=value` lines of the file named by
 * `CHANGEFLOW_ENV_FILE` when it is set (a variable set in `env` wins over the file).
 */
function withEnvFile(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const file = env[ENV_FILE_VARIABLE]?.trim();
  if (!file) return env;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(
      `cannot read ${ENV_FILE_VARIABLE} = ${JSON.stringify(file)} (${(err as Error).message}): fix the path or unset it`,
      { cause: err },
    );
  }
  return { ...parseEnv(text), ...env };
}

/**
 * Reads and validates the variables an app uses, once. Unset or blank variables take their
 * defaults; `AWS_REGION` falls back to `AWS_DEFAULT_REGION`. Throws one `ConfigError` listing every
 * bad variable with its value (secrets as their length) and what it accepts.
 *
 * @example
 * const vars = readConfig({ DATABASE_URL: {}, PORT: {}, READ_TOKEN: { isRequired: true } }, process.env, {
 *   app: 'repository-service',
 *   readme: 'repository-service/README.md',
 * });
 * vars.PORT; // number
 */
export function readConfig<const U extends VariableUses>(
  uses: U,
  env: NodeJS.ProcessEnv,
  options: ReadConfigOptions,
): ConfigValues<U> {
  const source = withEnvFile(env);
  const names = Object.keys(uses) as VariableName[];
  const shape: Record<string, z.ZodType> = {};
  const input: Record<string, unknown> = {};
  for (const name of names) {
    shape[name] = schemaOf(name, uses[name] ?? {});
    input[name] = source[name];
  }
  // awsOptionsFromEnv owns the AWS names (AWS_DEFAULT_REGION is a fallback for AWS_REGION).
  const aws = awsOptionsFromEnv(source);
  if ('AWS_ENDPOINT_URL' in uses) input.AWS_ENDPOINT_URL = aws.endpoint;
  if ('AWS_REGION' in uses) input.AWS_REGION = aws.region;
  const schema = options.refine ? z.object(shape).superRefine(options.refine) : z.object(shape);
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const shown = Object.fromEntries(
      Object.entries(input).map(([name, value]) =>
        (VARIABLES[name as VariableName] as { isSecret?: boolean }).isSecret && typeof value === 'string'
          ? [name, `<${value.length} characters>`]
          : [name, value],
      ),
    );
    const hint = options.hint?.(new Set(parsed.error.issues.map((issue) => String(issue.path[0]))));
    throw new ConfigError(
      `invalid ${options.app} configuration: ${describeIssues(parsed.error.issues, shown)}; ` +
        `set each to an accepted value${hint ? ` (${hint})` : ''} or unset it for its default ` +
        `(${options.readme}, "Configuration")`,
      { cause: parsed.error },
    );
  }
  return parsed.data as ConfigValues<U>;
}
