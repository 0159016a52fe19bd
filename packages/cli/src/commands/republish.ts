import {
  type ChangeLogFilter,
  createOutbox,
  listChanges,
  type OutboxDatabase,
  type Publisher,
} from '@changeflow/outbox';
import { REVAL_OBJECT_TYPES } from '@changeflow/reval';
import type { Command } from 'commander';
import type { Kysely } from 'kysely';
import { changeNumber, oneOf, positiveNumber, sinceTime, wholeNumber } from '../arguments.js';
import type { CommandRunner } from '../context.js';
import { exitCodeForCounts, explainPostgresError, UsageError } from '../errors.js';
import { EXIT_CODES, type ExitCode } from '../exit-codes.js';
import { formatTime } from '../output.js';
import type { Progress } from '../progress.js';
import { countChanges } from '../queries/count-changes.js';
import { createRateLimiter } from '../rate-limiter.js';

/** What `republish` works with. */
export interface RepublishDependencies {
  db: Kysely<OutboxDatabase>;
  databaseUrl: string;
  /** The outbox's publisher (`createOutbox(…).publisher`): groups by type, packs messages, marks published. */
  publisher: Publisher;
  progress: Progress;
  /** Aborting stops after the chunk in hand; the result says where to resume. */
  signal?: AbortSignal;
}

export interface RepublishOptions {
  /** First change number, inclusive (a bigint as a decimal string). */
  from: string;
  /** Last change number, inclusive. */
  to?: string;
  objectType?: string;
  objectId?: string;
  /** Only changes recorded at or after this time. */
  since?: Date;
  /** Count what would be published and publish nothing. @defaultValue false */
  dryRun?: boolean;
  /** Changes per second at most. @defaultValue unlimited */
  ratePerSecond?: number;
  /**
   * Changes read from the change log per page.
   * @defaultValue 1000
   */
  pageSize?: number;
}

/** The result of `changeflow republish`. */
export interface RepublishResult {
  filter: { from: string; to: string | null; objectType: string | null; objectId: string | null; since: Date | null };
  dryRun: boolean;
  /** Changes in the range (counted before publishing). */
  matched: number;
  /** Changes SNS accepted (in a dry run: 0). */
  published: number;
  /**
   * Changes that had been published before this run: each reaches the workers again (a duplicate,
   * which handlers absorb, G4). After an interrupted run, these include what that run sent.
   */
  previouslyPublished: number;
  /** Changes SNS did not accept; the first few numbers are in `failedChangeNumbers`. */
  failed: number;
  failedChangeNumbers: string[];
  /** The last change number handled, or `null` when none was. */
  lastChangeNumber: string | null;
  /** Stopped by a signal: run again with `--from resumeFrom` to go on. */
  interrupted: boolean;
  resumeFrom: string | null;
}

/** The object types `--type` accepts: those the reval write service records changes for. */
const KNOWN_OBJECT_TYPES: readonly string[] = Object.values(REVAL_OBJECT_TYPES);

/** Failed change numbers listed in the result at most. */
const MAX_LISTED_FAILURES = 20;

/**
 * Publishes changes again from the change log (DESIGN.md §1 step 7): pages through `changes` in
 * change-number order with `listChanges` and hands each chunk to the outbox's publisher, which groups
 * by object type and packs them into SNS messages. At-least-once: a run killed midway and run again
 * publishes everything (what the first run sent goes again, counted in `previouslyPublished`).
 */
export async function republishChanges(
  deps: RepublishDependencies,
  options: RepublishOptions,
): Promise<RepublishResult> {
  if (options.to !== undefined && BigInt(options.to) < BigInt(options.from)) {
    throw new UsageError(`--to ${options.to} is below --from ${options.from}: give a range from low to high`);
  }
  const pageSize = options.pageSize ?? 1000;
  const filter: ChangeLogFilter = {
    toChangeNumber: options.to,
    objectType: options.objectType,
    objectId: options.objectId,
    since: options.since,
  };
  const limiter = createRateLimiter(options.ratePerSecond);
  const chunkSize = limiter.batchSize(pageSize);
  const result: RepublishResult = {
    filter: {
      from: options.from,
      to: options.to ?? null,
      objectType: options.objectType ?? null,
      objectId: options.objectId ?? null,
      since: options.since ?? null,
    },
    dryRun: options.dryRun ?? false,
    matched: 0,
    published: 0,
    previouslyPublished: 0,
    failed: 0,
    failedChangeNumbers: [],
    lastChangeNumber: null,
    interrupted: false,
    resumeFrom: null,
  };
  try {
    result.matched = await countChanges(deps.db, { ...filter, fromChangeNumber: options.from });
    const task = deps.progress.start(options.dryRun ? 'counting changes' : 'republishing changes', result.matched);
    try {
      let cursor = options.from;
      pages: for (;;) {
        const page = await listChanges(deps.db, { ...filter, fromChangeNumber: cursor, limit: pageSize });
        for (let start = 0; start < page.length; start += chunkSize) {
          const chunk = page.slice(start, start + chunkSize);
          if (deps.signal?.aborted || !(await waitForRate(chunk.length, deps.signal))) {
            result.interrupted = true;
            result.resumeFrom = chunk[0]?.changeNumber ?? cursor;
            break pages;
          }
          result.previouslyPublished += chunk.filter((change) => change.publishedAt !== null).length;
          if (!options.dryRun) {
            const outcome = await deps.publisher.publish(chunk, 'sweep');
            result.published += outcome.published.length;
            result.failed += outcome.failed.length;
            const room = MAX_LISTED_FAILURES - result.failedChangeNumbers.length;
            if (room > 0) result.failedChangeNumbers.push(...outcome.failed.slice(0, room));
          }
          const last = chunk[chunk.length - 1];
          result.lastChangeNumber = last?.changeNumber ?? result.lastChangeNumber;
          task.increment(chunk.length, `up to #${result.lastChangeNumber}`);
        }
        const last = page[page.length - 1];
        if (!last || page.length < pageSize) break;
        cursor = (BigInt(last.changeNumber) + 1n).toString();
      }
    } finally {
      task.stop();
    }
  } catch (err) {
    throw explainPostgresError(err, deps.databaseUrl);
  }
  return result;

  async function waitForRate(units: number, signal: AbortSignal | undefined): Promise<boolean> {
    try {
      await limiter.take(units, signal);
      return true;
    } catch (err) {
      if (signal?.aborted) return false;
      throw err;
    }
  }
}

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
