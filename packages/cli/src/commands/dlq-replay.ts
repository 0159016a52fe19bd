import { isLocalEndpoint } from '@changeflow/aws';
import type { WorkerDeclaration } from '@changeflow/consumer';
import { toError } from '@changeflow/errors';
import type { OutboxDatabase } from '@changeflow/outbox';
import { type Command, Option } from 'commander';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { positiveNumber, wholeNumber } from '../arguments.js';
import type { CommandRunner } from '../context.js';
import { exitCodeForCounts, explainPostgresError, UsageError } from '../errors.js';
import { EXIT_CODES, type ExitCode } from '../exit-codes.js';
import type { Progress } from '../progress.js';
import { resolveWorkerQueues, type SqsAccess } from '../queues.js';
import { findWorker } from '../workers.js';
import { MoveTaskUnsupportedError, runMoveTask } from './move-task.js';
import { receiveAndSend } from './replay-receive-send.js';

/** What `dlq replay` works with. */
export interface DlqReplayDependencies {
  db: Kysely<OutboxDatabase>;
  databaseUrl: string;
  sqs: SqsAccess;
  workers: readonly WorkerDeclaration[];
  prefix: string;
  progress: Progress;
  logger: Logger;
  /** Aborting stops after the batch in hand; the result then says `interrupted`. */
  signal?: AbortSignal;
}

/** Which dead letters to move: all of them, those with these ids, or those whose reason contains a text. */
export type ReplaySelection = { all: true } | { ids: readonly string[] } | { reason: string };

/**
 * How to move: `move-task` is SQS's StartMessageMoveTask (AWS, `--all` only); `receive-send` receives
 * from the DLQ, sends to the queue, then deletes; `auto` takes `move-task` where it serves (`--all`, not
 * a dry run, an AWS endpoint) and falls back to `receive-send` when the endpoint does not support it.
 */
export type ReplayMethod = 'auto' | 'move-task' | 'receive-send';

export interface DlqReplayOptions {
  worker: string;
  selection: ReplaySelection;
  /** Count what would move and move nothing. @defaultValue false */
  dryRun?: boolean;
  /** Messages per second at most. @defaultValue unlimited */
  ratePerSecond?: number;
  /** @defaultValue 'auto' */
  method?: ReplayMethod;
  /**
   * Passes over the DLQ at most. A pass ends when a receive brings nothing new; skipped messages are
   * then handed back, and another pass runs only if this one moved something.
   * @defaultValue 3
   */
  maxPasses?: number;
  /**
   * How long skipped (non-matching) messages stay invisible while a pass goes on, in seconds. They are
   * handed back at the end of the pass, or after this if the replay dies.
   * @defaultValue 120
   */
  holdSeconds?: number;
  /**
   * When the DLQ still has invisible messages (another reader, or a replay that was killed holding a
   * batch), how long to wait for them to come back before reporting them, in seconds.
   * @defaultValue 20
   */
  settleSeconds?: number;
}

/** The result of `changeflow dlq replay`. */
export interface DlqReplayResult {
  worker: string;
  queue: string;
  deadLetterQueue: string;
  method: 'move-task' | 'receive-send';
  dryRun: boolean;
  /** Messages sent to the queue and deleted from the DLQ (or, in a dry run, 0). */
  moved: number;
  /** Messages that matched the selection (in a dry run: would have moved). */
  matched: number;
  /** Messages that did not match `--id`/`--reason` and were handed back untouched. */
  skipped: number;
  /** Messages SQS refused to take into the queue; they stay in the DLQ. */
  failed: number;
  /**
   * Moved messages that may now be delivered twice: an earlier replay took them out of the DLQ but
   * was stopped before it deleted them, or this replay sent them and could not delete them.
   */
  duplicatesPossible: number;
  /** Messages that stayed invisible in the DLQ (held by another reader) and were not looked at. */
  notVisible: number;
  /** `--id` values found in no DLQ message. */
  notFound: string[];
  /** Reasons SQS gave for refusals, one per distinct reason. */
  errors: string[];
  passes: number;
  /** Stopped by a signal before it was done. */
  interrupted: boolean;
}

/**
 * Moves dead letters back to the worker's queue (DESIGN.md §1 step 7).
 *
 * At-least-once: each message is sent to the queue first and deleted from the DLQ after, so a replay
 * killed between the two leaves it in the DLQ and a rerun sends it again — a duplicate, which handlers
 * absorb (G4), never a loss. Non-matching messages are only ever made visible again, never deleted.
 * `failed_messages.dead_lettered` is cleared before the send, so the rerun can count such duplicates.
 */
export async function replayDeadLetters(
  deps: DlqReplayDependencies,
  options: DlqReplayOptions,
): Promise<DlqReplayResult> {
  const worker = findWorker(deps.workers, options.worker);
  const method = options.method ?? 'auto';
  const isAll = 'all' in options.selection;
  if (method === 'move-task' && (!isAll || options.dryRun)) {
    throw new UsageError('--method move-task moves every message: use it with --all and without --dry-run');
  }
  const queues = await resolveWorkerQueues(deps.sqs, worker, deps.prefix);
  const useMoveTask =
    method === 'move-task' || (method === 'auto' && isAll && !options.dryRun && !isLocalEndpoint(deps.sqs.endpoint));
  if (useMoveTask) {
    try {
      return await runMoveTask({ ...deps, worker: worker.name, queues }, options.ratePerSecond);
    } catch (err) {
      if (!(err instanceof MoveTaskUnsupportedError) || method === 'move-task') throw err;
      deps.logger.warn({ err: toError(err) }, 'StartMessageMoveTask is not supported here; moving by receive and send');
    }
  }
  try {
    return await receiveAndSend(deps, worker.name, queues, options);
  } catch (err) {
    throw explainPostgresError(err, deps.databaseUrl);
  }
}

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
              db: await context.outboxDb(),
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
