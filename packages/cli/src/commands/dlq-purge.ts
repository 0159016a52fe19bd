import { type DlqPurgeResult, purgeDeadLetters } from '@changeflow/consumer';
import type { Command } from 'commander';
import type { CommandRunner } from '../context.js';
import { EXIT_CODES } from '../exit-codes.js';

/** `dlq purge` for people. */
export function renderPurge(result: DlqPurgeResult): string {
  return (
    `Purged ${result.deadLetterQueue}: about ${result.purgedApproximately} message(s) deleted for good; ` +
    `${result.recordsDeleted} dead-letter record(s) removed from failed_messages.`
  );
}

/** `changeflow dlq purge <worker> --yes`. */
export function registerDlqPurgeCommand(dlq: Command, run: CommandRunner): void {
  dlq
    .command('purge')
    .description('delete every message in the DLQ for good (refuses without --yes)')
    .argument('<worker>', 'worker name')
    .option('--yes', 'confirm: the dead letters cannot be recovered afterwards')
    .action(
      run(async (context, worker: string, options: { yes?: boolean }) => {
        const result = await purgeDeadLetters(
          {
            db: await context.consumerDb(),
            databaseUrl: context.config.databaseUrl,
            sqs: context.sqs(),
            workers: context.workers,
            prefix: context.config.prefix,
          },
          { worker, isConfirmed: options.yes === true },
        );
        context.output.result(result, renderPurge);
        return EXIT_CODES.ok;
      }),
    );
}
