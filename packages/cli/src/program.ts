import type { WorkerDeclaration } from '@changeflow/consumer';
import { REVAL_WORKERS } from '@changeflow/reval';
import { Command, CommanderError } from 'commander';
import { registerDlqListCommand } from './commands/dlq-list.js';
import { registerDlqPurgeCommand } from './commands/dlq-purge.js';
import { registerDlqReplayCommand } from './commands/dlq-replay.js';
import { registerDlqShowCommand } from './commands/dlq-show.js';
import { registerMigrateCommand } from './commands/migrate.js';
import { registerRepublishCommand } from './commands/republish.js';
import { registerStatusCommand } from './commands/status.js';
import { registerSyncCommand } from './commands/sync.js';
import { registerTopologyCommand } from './commands/topology.js';
import { loadConfig } from './config.js';
import { CommandContext, type CommandRunner } from './context.js';
import { describeError, exitCodeOf } from './errors.js';
import { EXIT_CODES, type ExitCode } from './exit-codes.js';
import { createOutput } from './output.js';
import { createProgress } from './progress.js';

/** The process around one run of the CLI: its streams, environment and signal. */
export interface CliIo {
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Aborted on SIGINT/SIGTERM: long commands stop after the batch in hand and report what they did. */
  signal?: AbortSignal;
  /** The workers whose queues the CLI knows. @defaultValue `REVAL_WORKERS`, the list the workers deployment runs */
  workers?: () => readonly WorkerDeclaration[];
}

/** The options every command takes. */
interface GlobalOptions {
  prefix?: string;
  databaseUrl?: string;
  json?: boolean;
}

const EXIT_CODE_HELP = `
Exit codes:
  0  ok: everything asked was done
  1  failure: nothing could be done (Postgres or SNS/SQS unreachable, a queue missing, …)
  2  bad usage: unknown command, option or worker, a bad value, purge without --yes, bad configuration
  3  partial: some of the work was not done (messages not moved, changes not published, interrupted);
     the output says what, and running the same command again is safe

Environment:
  DATABASE_URL        Postgres with the outbox tables (default postgres://postgres@127.0.0.1:5432/postgres)
  INDEX_DATABASE_URL  Postgres with the reval indexes (default DATABASE_URL)
  INDEX_SCHEMA        schema of the reval index tables (default reval_index)
  CHANGEFLOW_PREFIX   topic and queue name prefix (default changeflow)
  AWS_ENDPOINT_URL    SNS/SQS endpoint, e.g. http://127.0.0.1:4566; unset means AWS itself
  AWS_REGION          region (AWS_DEFAULT_REGION also works); credentials from the AWS SDK's chain
  REPOSITORY_URL      repository-service base URL, for sync (default http://127.0.0.1:8080)
  WRITE_TOKEN         repository-service write token, for sync
  LOG_LEVEL           the CLI's own log on stderr (default warn)`;

/**
 * Runs the `changeflow` command with `argv` (without `node` and the script) and returns its exit
 * code; it never calls `process.exit`. Results go to `io.stdout`; progress, notes and errors to
 * `io.stderr`.
 *
 * @example
 * process.exitCode = await runCli(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr });
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  let exitCode: ExitCode = EXIT_CODES.ok;
  const program = createProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help ends in a CommanderError too, with exit code 0; every other one is bad usage.
      return err.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.usage;
    }
    const described = describeError(err);
    io.stderr.write(`changeflow: ${described.message}\n`);
    if (argv.includes('--json')) io.stdout.write(`${JSON.stringify({ error: described })}\n`);
    return exitCodeOf(err);
  }
}

/**
 * The commander program. Each command's options and action live with the command, in
 * `src/commands/`; `setExitCode` receives the code of a command that finished without throwing.
 */
export function createProgram(io: CliIo, setExitCode: (code: ExitCode) => void): Command {
  const program = new Command('changeflow')
    .description(
      'Changeflow on-call tool: outbox and queue status, dead letters (list, show, replay, purge), ' +
        're-publishing changes from the change log, migrations, SNS/SQS topology and the reval sync.',
    )
    .option('--prefix <prefix>', 'topic and queue name prefix (overrides CHANGEFLOW_PREFIX)')
    .option('--database-url <url>', 'Postgres with the outbox tables (overrides DATABASE_URL)')
    .option('--json', 'print one JSON document on stdout instead of text (one per refresh with --watch)')
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .showSuggestionAfterError(true)
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .addHelpText('after', EXIT_CODE_HELP);

  const run: CommandRunner =
    (work) =>
    async (...args) => {
      const globals = program.opts<GlobalOptions>();
      const config = loadConfig(io.env, { prefix: globals.prefix, databaseUrl: globals.databaseUrl });
      const context = new CommandContext({
        config,
        output: createOutput(io, globals.json === true),
        progress: createProgress({ stream: io.stderr, isTTY: io.stderr.isTTY === true }),
        stderr: io.stderr,
        workers: io.workers?.() ?? REVAL_WORKERS,
        signal: io.signal,
      });
      try {
        setExitCode(await work(context, ...args));
      } finally {
        await context.close();
      }
    };

  registerStatusCommand(program, run);
  const dlq = program.command('dlq').description('dead-lettered messages of a worker: list, show, replay, purge');
  registerDlqListCommand(dlq, run);
  registerDlqShowCommand(dlq, run);
  registerDlqReplayCommand(dlq, run);
  registerDlqPurgeCommand(dlq, run);
  registerRepublishCommand(program, run);
  registerMigrateCommand(program, run);
  registerTopologyCommand(program, run);
  registerSyncCommand(program, run);
  return program;
}
