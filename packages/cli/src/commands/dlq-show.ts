import { type DlqShowResult, showDeadLetter } from '@changeflow/consumer';
import type { Command } from 'commander';
import type { CommandRunner } from '../context.js';
import { EXIT_CODES } from '../exit-codes.js';
import { formatTime } from '../output.js';

/** `dlq show` for people. */
export function renderDeadLetter(result: DlqShowResult): string {
  const lines = [`Worker ${result.worker}, message ${result.messageId}`, ''];
  const failure = result.failure;
  if (failure) {
    lines.push('Recorded failure (failed_messages)');
    lines.push(`  message id     ${failure.messageId}`);
    lines.push(
      `  dead-lettered  ${failure.deadLettered ? 'yes' : 'no (retrying, or moved out of the DLQ by a replay)'}`,
    );
    lines.push(`  changes        ${failure.changeNumbers.join(', ') || '-'}`);
    lines.push(`  object         ${failure.objectType ?? '?'} ${failure.objectIds.join(', ')}`);
    lines.push(`  attempts       ${failure.attempts}`);
    lines.push(`  first failed   ${formatTime(failure.firstFailedAt)}`);
    lines.push(`  last failed    ${formatTime(failure.lastFailedAt)}`);
    lines.push(`  reason         ${failure.error}`);
  } else {
    lines.push('No failure recorded in failed_messages (SQS may have dead-lettered it after a crash).');
  }
  lines.push('');
  if (result.deadLetter) {
    lines.push(`In the DLQ (looked at ${result.scanned} message(s))`);
    lines.push(JSON.stringify(result.deadLetter, null, 2).replace(/^/gm, '  '));
  } else {
    lines.push(`Not in the DLQ now (looked at ${result.scanned} message(s)): replayed, purged, or expired.`);
  }
  return lines.join('\n');
}

/** `changeflow dlq show <worker> <messageId>`. */
export function registerDlqShowCommand(dlq: Command, run: CommandRunner): void {
  dlq
    .command('show')
    .description("one dead letter in full: its failed_messages row and the DLQ message's attributes and body")
    .argument('<worker>', 'worker name')
    .argument('<messageId>', 'the message id as `dlq list` shows it (or its id in the DLQ)')
    .action(
      run(async (context, worker: string, messageId: string) => {
        const result = await showDeadLetter(
          {
            db: await context.consumerDb(),
            databaseUrl: context.config.databaseUrl,
            sqs: context.sqs(),
            workers: context.workers,
            prefix: context.config.prefix,
          },
          { worker, messageId },
        );
        context.output.result(result, renderDeadLetter);
        return EXIT_CODES.ok;
      }),
    );
}
