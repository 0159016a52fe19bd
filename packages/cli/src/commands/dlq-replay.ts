import { type DlqReplayResult, type ReplayMethod, type ReplaySelection, replayDeadLetters } from '@changeflow/consumer';
import { UsageError } from '@changeflow/errors';
import { type Command, Option } from 'commander';
import { positiveNumber, wholeNumber } from '../arguments.js';
import type { CommandRunner } from '../context.js';
import { exitCodeForCounts } from '../errors.js';
import { EXIT_CODES, type ExitCode } from '../exit-codes.js';

/** The exit code of a replay: 0 when everything selected moved, 3 when some did not, 1 when none did. */
export function replayExitCode(result: DlqReplayResult): ExitCode {
  if (result.interrupted) return EXIT_CODES.partial;
  const done = result.dryRun ? result.matched : result.moved;
  return exitCodeForCounts(done, result.failed + result.notFound.length + result.notVisible);
}

/** `dlq replay` for people: what moved, what did not and why, and what to do next. */
export function renderReplay(result: DlqReplayResult): string {
  const lines: string[] = [];
  const via = result.method === 'move-task' ? 'SQS message move task' : `receive and send, ${result.passes} pass(es)`;
  if (result.dryRun) {
    lines.push(
      `Dry run: ${result.matched} message(s) in ${result.deadLetterQueue} would move to ${result.queue}; ` +
        `${result.skipped} do not match. Nothing was moved.`,
    );
  } else {
    lines.push(`Moved ${result.moved} message(s) from ${result.deadLetterQueue} to ${result.queue} (${via}).`);
    if (result.skipped > 0) lines.push(`Skipped ${result.skipped} that did not match; they stay in the DLQ.`);
  }
  if (result.duplicatesPossible > 0) {
    lines.push(
      `${result.duplicatesPossible} may be delivered twice (an earlier replay sent them and stopped before deleting ` +
        'them, or a delete failed); handlers absorb duplicates.',
    );
  }
  if (result.failedAgain > 0) {
    lines.push(
      `${result.failedAgain} failed again and are back in the DLQ: see why with \`changeflow dlq list ${result.worker}\`, ` +
        `fix the cause and replay them, or drop them with \`changeflow dlq purge ${result.worker} --yes\`.`,
    );
  }
  if (result.failed > 0) {
    lines.push(`${result.failed} could not be sent and stay in the DLQ: ${result.errors.join('; ')}. Run it again.`);
  }
  if (result.notFound.length > 0) lines.push(`Not found in the DLQ: ${result.notFound.join(', ')}.`);
  if (result.notVisible > 0) {
    lines.push(
      `${result.notVisible} message(s) in the DLQ stayed invisible (another reader, or an interrupted replay, holds ` +
        'them): run the replay again in a minute.',
    );
  }
  if (result.interrupted) lines.push('Interrupted: what was moved stays moved; run the same command again to go on.');
  return lines.join('\n');
}

/** `changeflow dlq replay <worker> (--all | --id … | --reason …) [--dry-run] [--rate n] [--method m]`. */
export function registerDlqReplayCommand(dlq: Command, run: CommandRunner): void {
  dlq
    .command('replay')
    .description("move dead letters back to the worker's queue (at-least-once: send first, then delete from the DLQ)")
    .argument('<worker>', 'worker name')
    .addOption(new Option('--all', 'every message in the DLQ').conflicts(['id', 'reason']))
    .addOption(
      new Option('--id <messageId...>', 'only these messages (ids as `dlq list` shows them)').conflicts('reason'),
    )
    .option('--reason <text>', 'only messages whose failure reason contains this text (case-insensitive)')
    .option('--dry-run', 'count what would move; move nothing')
    .option('--rate <n>', 'messages per second at most', positiveNumber('messages per second'))
    .addOption(
      new Option('--method <method>', 'how to move: move-task is SQS StartMessageMoveTask (AWS, --all only)')
        .choices(['auto', 'move-task', 'receive-send'])
        .default('auto'),
    )
    .option('--max-passes <n>', 'passes over the DLQ at most', wholeNumber('passes'), 3)
    .addHelpText(
      'after',
      '\nNon-matching messages are only made visible again, never deleted. Killed midway, run it again: a message\n' +
        'sent but not yet deleted is sent again (counted as duplicatesPossible), none is lost.\n' +
        'Exit 3 when some selected messages were not moved (refused, not found, held by another reader).',
    )
    .action(
      run(
        async (
          context,
          worker: string,
          options: {
            all?: boolean;
            id?: string[];
            reason?: string;
            dryRun?: boolean;
            rate?: number;
            method: ReplayMethod;
            maxPasses: number;
          },
        ) => {
          const selection: ReplaySelection | undefined = options.all
            ? { all: true }
            : options.id
              ? { ids: options.id }
              : options.reason !== undefined
                ? { reason: options.reason }
                : undefined;
          if (!selection) {
            throw new UsageError(
              'say which dead letters to replay: --all, --id <messageId…> or --reason <text> ' +
                `(e.g. \`changeflow dlq replay ${worker} --all --dry-run\`)`,
            );
          }
          const result = await replayDeadLetters(
            {
              db: await context.consumerDb(),
              databaseUrl: context.config.databaseUrl,
              sqs: context.sqs(),
              workers: context.workers,
              prefix: context.config.prefix,
              progress: context.progress,
              logger: context.logger,
              signal: context.signal,
            },
            {
              worker,
              selection,
              dryRun: options.dryRun === true,
              ratePerSecond: options.rate,
              method: options.method,
              maxPasses: options.maxPasses,
            },
          );
          context.output.result(result, renderReplay);
          return replayExitCode(result);
        },
      ),
    );
}
