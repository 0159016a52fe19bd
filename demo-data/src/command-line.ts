import { isoDateSchema } from '@changeflow/reval';
import { Command, CommanderError } from 'commander';
import { z } from 'zod';
import { londonToday } from './dates.js';
import { type GenerateOptions, MAX_DOCTORS } from './generate.js';

/**
 * The one place the demo-data CLI reads its arguments and environment (`REPOSITORY_URL`, `WRITE_TOKEN`),
 * validated once; the README's "Options" table lists the same flags and defaults.
 */

/** Defaults of the flags that have one. */
export const COMMAND_LINE_DEFAULTS = {
  doctors: '1000',
  seed: 'changeflow',
  url: 'http://127.0.0.1:8080',
  recordsPerRequest: '1000',
  concurrency: '8',
} as const;

/** What the command line asks for. */
export type CommandLineRun =
  | {
      mode: 'load';
      generate: GenerateOptions;
      url: string;
      token: string;
      recordsPerRequest: number;
      concurrency: number;
      quiet: boolean;
    }
  | { mode: 'write'; generate: GenerateOptions; out: string; quiet: boolean };

/** The outcome of reading the command line: a run, or an exit (help shown, or a usage error). */
export type CommandLine = { kind: 'run'; run: CommandLineRun } | { kind: 'exit'; exitCode: number };

/** Exit status for bad arguments (as with most Unix tools). */
export const USAGE_EXIT_CODE = 2;

function wholeNumber(min: number, max: number) {
  const accepted = `must be a whole number from ${min} to ${max}`;
  return z.string().regex(/^\d+$/, accepted).transform(Number).pipe(z.number().min(min, accepted).max(max, accepted));
}

const FLAGS = {
  doctors: '--doctors',
  seed: '--seed',
  today: '--today',
  url: '--url (or REPOSITORY_URL)',
  token: '--token (or WRITE_TOKEN)',
  out: '--out',
  recordsPerRequest: '--records-per-request',
  concurrency: '--concurrency',
} as const;

const argumentsSchema = z
  .object({
    doctors: wholeNumber(0, MAX_DOCTORS),
    seed: z.string().min(1, 'must not be empty'),
    today: isoDateSchema,
    url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL, e.g. http://127.0.0.1:8080' }),
    token: z.string().optional(),
    out: z.string().min(1, 'must name a file, e.g. demo.ndjson').optional(),
    recordsPerRequest: wholeNumber(0, 1_000_000),
    concurrency: wholeNumber(1, 64),
    quiet: z.boolean(),
  })
  .superRefine((args, context) => {
    if (args.out === undefined && (args.token === undefined || args.token === '')) {
      context.addIssue({
        code: 'custom',
        path: ['token'],
        message: 'is needed to post to the repository-service: its WRITE token (or use --out to write files instead)',
      });
    }
  });

function program(): Command {
  return new Command('demo-data')
    .description(
      'Generate deterministic reval demo data and load it into the repository-service (or write NDJSON files).',
    )
    .option('--doctors <n>', `how many doctors, 0 to ${MAX_DOCTORS}`, COMMAND_LINE_DEFAULTS.doctors)
    .option('--seed <text>', 'the same seed gives the same data', COMMAND_LINE_DEFAULTS.seed)
    .option('--today <YYYY-MM-DD>', 'the date to generate around (default: today in Europe/London)')
    .option('--url <url>', `repository-service base URL (default: REPOSITORY_URL or ${COMMAND_LINE_DEFAULTS.url})`)
    .option('--token <token>', 'the WRITE token (default: WRITE_TOKEN)')
    .option('--out <file.ndjson>', 'write one NDJSON file per kind (file.<kind>.ndjson) instead of posting')
    .option(
      '--records-per-request <n>',
      'records per bulk request, 0 for one request per kind',
      COMMAND_LINE_DEFAULTS.recordsPerRequest,
    )
    .option('--concurrency <n>', 'connection-failure PUTs in flight, 1 to 64', COMMAND_LINE_DEFAULTS.concurrency)
    .option('--quiet', 'no progress output')
    .allowExcessArguments(false)
    .showHelpAfterError()
    .exitOverride();
}

/**
 * Reads `argv` (without the node and script paths) and `env`. Help and usage errors are written to
 * `stderr`/`stdout` by commander or here, and come back as an exit code.
 *
 * @example
 * const commandLine = readCommandLine(process.argv.slice(2), process.env, process.stderr);
 */
export function readCommandLine(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  stderr: NodeJS.WritableStream,
  now: Date = new Date(),
): CommandLine {
  const command = program().configureOutput({ writeErr: (text) => stderr.write(text) });
  try {
    command.parse([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and --version are exits with 0; everything else commander rejects is a usage error.
      return { kind: 'exit', exitCode: err.exitCode === 0 ? 0 : USAGE_EXIT_CODE };
    }
    throw err;
  }
  const flags = command.opts<Record<string, string | boolean | undefined>>();
  const input = {
    doctors: flags.doctors,
    seed: flags.seed,
    today: flags.today ?? londonToday(now),
    url: flags.url ?? blankToUndefined(env.REPOSITORY_URL) ?? COMMAND_LINE_DEFAULTS.url,
    token: flags.token ?? blankToUndefined(env.WRITE_TOKEN),
    out: flags.out,
    recordsPerRequest: flags.recordsPerRequest,
    concurrency: flags.concurrency,
    quiet: flags.quiet === true,
  };
  const parsed = argumentsSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = issue.path[0];
      const flag = typeof key === 'string' && key in FLAGS ? FLAGS[key as keyof typeof FLAGS] : String(key);
      const value = typeof key === 'string' ? (input as Record<string, unknown>)[key] : undefined;
      return `  ${flag}${value === undefined ? '' : ` = ${JSON.stringify(value)}`}: ${issue.message}`;
    });
    stderr.write(`demo-data: invalid arguments:\n${problems.join('\n')}\n(see npm run demo-data -- --help)\n`);
    return { kind: 'exit', exitCode: USAGE_EXIT_CODE };
  }
  const args = parsed.data;
  const generate: GenerateOptions = { doctors: args.doctors, seed: args.seed, today: args.today };
  return { kind: 'run', run: toRun(args, generate) };
}

function toRun(args: z.output<typeof argumentsSchema>, generate: GenerateOptions): CommandLineRun {
  if (args.out !== undefined) return { mode: 'write', generate, out: args.out, quiet: args.quiet };
  return {
    mode: 'load',
    generate,
    url: args.url,
    token: args.token ?? '',
    recordsPerRequest: args.recordsPerRequest,
    concurrency: args.concurrency,
    quiet: args.quiet,
  };
}

function blankToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
