import { createOutbox, type RepublishResult, republishChanges } from '@changeflow/outbox';
import { REVAL_OBJECT_TYPES } from '@changeflow/reval';
import type { Command } from 'commander';
import { changeNumber, oneOf, positiveNumber, sinceTime, wholeNumber } from '../arguments.js';
import type { CommandRunner } from '../context.js';
import { exitCodeForCounts } from '../errors.js';
import { EXIT_CODES, type ExitCode } from '../exit-codes.js';
import { formatTime } from '../output.js';

/** The object types `--type` accepts: those the reval write service records changes for. */
const KNOWN_OBJECT_TYPES: readonly string[] = Object.values(REVAL_OBJECT_TYPES);
/** 0 when every change was published, 3 when some were not (or interrupted), 1 when none was. */
export function republishExitCode(result: RepublishResult): ExitCode {
  if (result.interrupted) return EXIT_CODES.partial;
  return exitCodeForCounts(result.published, result.failed);
}

/** `republish` for people. */
export function renderRepublish(result: RepublishResult): string {
  const f = result.filter;
  const range = `#${f.from}${f.to ? `..#${f.to}` : '..'}${f.objectType ? ` type ${f.objectType}` : ''}${
    f.objectId ? ` object ${f.objectId}` : ''
  }${f.since ? ` since ${formatTime(f.since)}` : ''}`;
  const lines = [
    result.dryRun
      ? `Dry run: ${result.matched} change(s) in ${range} would be published; nothing was sent.`
      : `Republished ${result.published} of ${result.matched} change(s) in ${range}.`,
  ];
  if (result.previouslyPublished > 0) {
    lines.push(
      `${result.previouslyPublished} had been published before: workers receive them again (duplicates, absorbed by version guards).`,
    );
  }
  if (result.failed > 0) {
    lines.push(
      `${result.failed} not accepted by SNS (${result.failedChangeNumbers.join(', ')}${
        result.failed > result.failedChangeNumbers.length ? ', …' : ''
      }): run the same command again.`,
    );
  }
  if (result.interrupted) {
    lines.push(
      `Interrupted. Go on with: changeflow republish --from ${result.resumeFrom ?? f.from} (same other flags)`,
    );
  }
  return lines.join('\n');
}

/** `changeflow republish --from N [--to M] [--type T] [--object ID] [--since TIME] [--dry-run] [--rate n]`. */
export function registerRepublishCommand(program: Command, run: CommandRunner): void {
  program
    .command('republish')
    .description('publish changes again from the change log (grouped by type, packed like the outbox does)')
    .requiredOption('--from <n>', 'first change number (inclusive)', changeNumber('--from'))
    .option('--to <n>', 'last change number (inclusive)', changeNumber('--to'))
    .option(
      '--type <objectType>',
      `only changes of this object type (${KNOWN_OBJECT_TYPES.join(', ')})`,
      oneOf('object type', KNOWN_OBJECT_TYPES),
    )
    .option('--object <objectId>', 'only changes of this object id')
    .option(
      '--since <time>',
      'only changes recorded since: ISO time (2024-05-01T12:00:00Z) or an age (90s, 15m, 2h, 1d)',
      sinceTime,
    )
    .option('--dry-run', 'count what would be published; publish nothing')
    .option('--rate <n>', 'changes per second at most', positiveNumber('changes per second'))
    .option('--page-size <n>', 'changes read per page', wholeNumber('changes'), 1000)
    .addHelpText(
      'after',
      '\nKilled midway, run it again with the same --from: everything is delivered, what was sent twice is\n' +
        'counted (previouslyPublished). Interrupted with Ctrl-C, it prints the --from to go on with.',
    )
    .action(
      run(
        async (
          context,
          options: {
            from: string;
            to?: string;
            type?: string;
            object?: string;
            since?: Date;
            dryRun?: boolean;
            rate?: number;
            pageSize: number;
          },
        ) => {
          const db = await context.outboxDb();
          const outbox = createOutbox(
            { db, sns: context.aws().sns, logger: context.logger },
            { topicPrefix: context.config.prefix },
          );
          const result = await republishChanges(
            {
              db,
              databaseUrl: context.config.databaseUrl,
              publisher: outbox.publisher,
              progress: context.progress,
              signal: context.signal,
            },
            {
              from: options.from,
              to: options.to,
              objectType: options.type,
              objectId: options.object,
              since: options.since,
              dryRun: options.dryRun === true,
              ratePerSecond: options.rate,
              pageSize: options.pageSize,
            },
          );
          context.output.result(result, renderRepublish);
          return republishExitCode(result);
        },
      ),
    );
}
