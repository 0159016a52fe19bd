import { type WorkerDeclaration, workerTopology } from '@changeflow/consumer';
import type { OutboxDatabase } from '@changeflow/outbox';
import type { Command } from 'commander';
import type { Kysely } from 'kysely';
import { wholeNumber } from '../arguments.js';
import type { CommandRunner } from '../context.js';
import { explainPostgresError } from '../errors.js';
import { EXIT_CODES } from '../exit-codes.js';
import { formatTable, formatTime, truncate } from '../output.js';
import { type FailedMessage, listDeadLettered } from '../queries/failed-messages.js';
import { findQueueUrl, type QueueDepth, queueDepth, type SqsAccess } from '../queues.js';
import { findWorker } from '../workers.js';

/** What `dlq list` reads from. */
export interface DlqListDependencies {
  db: Kysely<OutboxDatabase>;
  databaseUrl: string;
  sqs: SqsAccess;
  workers: readonly WorkerDeclaration[];
  prefix: string;
}

export interface DlqListOptions {
  worker: string;
  /**
   * Rows shown at most, most recent failure first.
   * @defaultValue 100
   */
  limit?: number;
}

/** The result of `changeflow dlq list`. */
export interface DlqListResult {
  worker: string;
  deadLetterQueue: string;
  /** The DLQ's approximate counts; `null` when the DLQ does not exist. */
  deadLetterQueueDepth: QueueDepth | null;
  /** Dead-lettered rows recorded in `failed_messages` for the worker. */
  total: number;
  /** The first `limit` of them. */
  messages: FailedMessage[];
}

/**
 * The worker's dead-lettered messages as `failed_messages` records them: change numbers, object type
 * and ids, the reason, attempts, first and last failure. The DLQ's own count is shown beside them,
 * since SQS's redrive can dead-letter a message whose last failure was not recorded (a crashed worker).
 */
export async function listDeadLetters(deps: DlqListDependencies, options: DlqListOptions): Promise<DlqListResult> {
  const worker = findWorker(deps.workers, options.worker);
  const names = workerTopology(worker, deps.prefix);
  let rows: { total: number; messages: FailedMessage[] };
  try {
    rows = await listDeadLettered(deps.db, worker.name, options.limit ?? 100);
  } catch (err) {
    throw explainPostgresError(err, deps.databaseUrl);
  }
  const url = await findQueueUrl(deps.sqs, names.deadLetterQueueName);
  return {
    worker: worker.name,
    deadLetterQueue: names.deadLetterQueueName,
    deadLetterQueueDepth: url ? await queueDepth(deps.sqs, url) : null,
    total: rows.total,
    messages: rows.messages,
  };
}

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
            db: await context.outboxDb(),
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
