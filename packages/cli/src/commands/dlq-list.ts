import { type DlqListResult, listDeadLetters } from '@changeflow/consumer';
import type { Command } from 'commander';
import { wholeNumber } from '../arguments.js';
import type { CommandRunner } from '../context.js';
import { EXIT_CODES } from '../exit-codes.js';
import { formatTable, formatTime, truncate } from '../output.js';

/** `dlq list` for people. */
export function renderDeadLetterList(result: DlqListResult): string {
  const depth = result.deadLetterQueueDepth;
  const lines = [
    `Worker ${result.worker}: ${result.total} dead-lettered message(s) recorded; DLQ ${result.deadLetterQueue} ` +
      (depth ? `holds about ${depth.visible + depth.inFlight}` : 'does not exist (run `changeflow topology --apply`)'),
  ];
  if (result.messages.length === 0) {
    lines.push('Nothing dead-lettered.');
    return lines.join('\n');
  }
  lines.push('');
  lines.push(
    formatTable(
      ['MESSAGE ID', 'CHANGES', 'OBJECT', 'ATTEMPTS', 'FIRST FAILED', 'LAST FAILED', 'REASON'],
      result.messages.map((message) => [
        message.messageId,
        truncate(message.changeNumbers.join(',') || '-', 24),
        truncate(`${message.objectType ?? '?'} ${message.objectIds.join(',')}`, 32),
        String(message.attempts),
        formatTime(message.firstFailedAt),
        formatTime(message.lastFailedAt),
        truncate(message.error, 60),
      ]),
    ),
  );
  if (result.total > result.messages.length)
    lines.push(`… and ${result.total - result.messages.length} more (--limit)`);
  lines.push('');
  lines.push(
    `Details: changeflow dlq show ${result.worker} <message id>; replay: changeflow dlq replay ${result.worker} --all`,
  );
  return lines.join('\n');
}

/** `changeflow dlq list <worker> [--limit n]`. */
export function registerDlqListCommand(dlq: Command, run: CommandRunner): void {
  dlq
    .command('list')
    .description('dead-lettered messages recorded in failed_messages: changes, object, reason, attempts, failure times')
    .argument('<worker>', 'worker name (see `changeflow topology`)')
    .option('--limit <n>', 'rows shown at most, most recent failure first', wholeNumber('rows'), 100)
    .action(
      run(async (context, worker: string, options: { limit: number }) => {
        const result = await listDeadLetters(
          {
            db: await context.consumerDb(),
            databaseUrl: context.config.databaseUrl,
            sqs: context.sqs(),
            workers: context.workers,
            prefix: context.config.prefix,
          },
          { worker, limit: options.limit },
        );
        context.output.result(result, renderDeadLetterList);
        return EXIT_CODES.ok;
      }),
    );
}
