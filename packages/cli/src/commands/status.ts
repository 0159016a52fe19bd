import { setTimeout as sleep } from 'node:timers/promises';
import { type WorkerDeclaration, workerSemaphoreKey, workerTopology } from '@changeflow/consumer';
import { asOutboxDb, unpublishedStats } from '@changeflow/outbox';
import type { RevalDatabase, SyncJob } from '@changeflow/reval';
import type { Semaphore, SlotHolder } from '@changeflow/semaphore';
import { createSemaphore } from '@changeflow/semaphore';
import type { Command } from 'commander';
import type { Kysely } from 'kysely';
import { positiveNumber } from '../arguments.js';
import type { CommandRunner } from '../context.js';
import { explainPostgresError } from '../errors.js';
import { EXIT_CODES } from '../exit-codes.js';
import { formatDuration, formatTable, formatTime } from '../output.js';
import { countDeadLettered } from '../queries/failed-messages.js';
import { readLastSync } from '../queries/last-sync.js';
import { findQueueUrl, type QueueDepth, queueDepth, type SqsAccess } from '../queues.js';
import { SWEEPER_SEMAPHORE_KEY } from '../workers.js';

/** What `status` reads from. */
export interface StatusDependencies {
  /** The primary database: the outbox's tables, `semaphore_slots` and (once migrated) `reval_sync_job`. */
  db: Kysely<RevalDatabase>;
  /** For error messages: where `db` points. */
  databaseUrl: string;
  sqs: SqsAccess;
  semaphore: Semaphore;
  workers: readonly WorkerDeclaration[];
  prefix: string;
}

/** A queue's counts, or `missing` when it does not exist. */
export type QueueStatus = { name: string; missing: false } & QueueDepth;
export type MissingQueue = { name: string; missing: true };

/** One worker's line of `status`. */
export interface WorkerStatus {
  worker: string;
  queue: QueueStatus | MissingQueue;
  deadLetterQueue: QueueStatus | MissingQueue;
  /** Rows of `failed_messages` marked dead-lettered for this worker. */
  deadLetteredRecorded: number;
  /** Live semaphore slots of the worker (the processes running it now). */
  holders: SlotHolder[];
  maxLocks: number;
}

/** The result of `changeflow status`. */
export interface StatusReport {
  prefix: string;
  /** When the report was taken (process clock). */
  at: Date;
  outbox: { unpublished: number; oldestUnpublishedAgeMs: number | null };
  sweeper: { holders: SlotHolder[] };
  workers: WorkerStatus[];
  /** The last full sync; `null` when none ran yet (or this database has no sync table). */
  lastSync: SyncJob | null;
}

/**
 * Reads the state on-call engineers look at first: the outbox backlog and the age of its oldest
 * change, per worker its queue, in-flight and DLQ counts and who holds its slots, and the last sync.
 * SQS counts are approximate, as SQS reports them.
 */
export async function readStatus(deps: StatusDependencies): Promise<StatusReport> {
  const db = asOutboxDb(deps.db);
  try {
    const [stats, deadLettered, sweeperHolders, lastSync] = await Promise.all([
      unpublishedStats(db),
      countDeadLettered(db),
      deps.semaphore.holders(SWEEPER_SEMAPHORE_KEY),
      readLastSync(deps.db),
    ]);
    const workers = await Promise.all(
      deps.workers.map(async (worker): Promise<WorkerStatus> => {
        const names = workerTopology(worker, deps.prefix);
        const [queue, deadLetterQueue, holders] = await Promise.all([
          queueStatus(deps.sqs, names.queueName),
          queueStatus(deps.sqs, names.deadLetterQueueName),
          deps.semaphore.holders(workerSemaphoreKey(worker.name)),
        ]);
        return {
          worker: worker.name,
          queue,
          deadLetterQueue,
          deadLetteredRecorded: deadLettered.get(worker.name) ?? 0,
          holders,
          maxLocks: worker.maxLocks,
        };
      }),
    );
    return {
      prefix: deps.prefix,
      at: new Date(),
      outbox: { unpublished: stats.count, oldestUnpublishedAgeMs: stats.oldestAgeMs },
      sweeper: { holders: sweeperHolders },
      workers,
      lastSync: lastSync ?? null,
    };
  } catch (err) {
    throw explainPostgresError(err, deps.databaseUrl);
  }
}

async function queueStatus(access: SqsAccess, name: string): Promise<QueueStatus | MissingQueue> {
  const url = await findQueueUrl(access, name);
  if (!url) return { name, missing: true };
  return { name, missing: false, ...(await queueDepth(access, url)) };
}

/** `status` for people. */
export function renderStatus(report: StatusReport): string {
  const lines: string[] = [];
  const age = report.outbox.oldestUnpublishedAgeMs;
  lines.push(
    `Outbox   ${report.outbox.unpublished} unpublished` +
      (age === null ? '' : `, oldest ${formatDuration(age)} old`) +
      (report.outbox.unpublished > 0 && age !== null && age > 10_000 ? '  (the sweeper should have sent these)' : ''),
  );
  lines.push(`Sweeper  ${describeHolders(report.sweeper.holders) || 'no holder (no workers process is sweeping now)'}`);
  lines.push('');
  lines.push(`Workers (prefix ${report.prefix})`);
  lines.push(
    formatTable(
      ['WORKER', 'QUEUE', 'IN-FLIGHT', 'DELAYED', 'DLQ', 'DEAD-LETTERED (DB)', 'SLOTS', 'HOLDERS'],
      report.workers.map((worker) => [
        worker.worker,
        worker.queue.missing ? 'missing' : String(worker.queue.visible),
        worker.queue.missing ? '-' : String(worker.queue.inFlight),
        worker.queue.missing ? '-' : String(worker.queue.delayed),
        worker.deadLetterQueue.missing
          ? 'missing'
          : String(worker.deadLetterQueue.visible + worker.deadLetterQueue.inFlight),
        String(worker.deadLetteredRecorded),
        `${worker.holders.length}/${worker.maxLocks}`,
        describeHolders(worker.holders) || '-',
      ]),
    ),
  );
  if (report.workers.some((worker) => worker.queue.missing || worker.deadLetterQueue.missing)) {
    lines.push('Some queues are missing: create them with `changeflow topology --apply`.');
  }
  if (report.workers.some((worker) => !worker.deadLetterQueue.missing && worker.deadLetterQueue.visible > 0)) {
    lines.push('Dead letters waiting: see them with `changeflow dlq list <worker>`.');
  }
  lines.push('');
  lines.push(`Last sync  ${describeSync(report.lastSync)}`);
  return lines.join('\n');
}

function describeHolders(holders: readonly SlotHolder[]): string {
  return holders
    .map((holder) => `${holder.holder} (slot ${holder.slot}, until ${formatTime(holder.expiresAt)})`)
    .join(', ');
}

function describeSync(sync: SyncJob | null): string {
  if (!sync) return 'no sync yet';
  const when = sync.finishedAt ?? sync.startedAt ?? sync.requestedAt;
  const step = sync.state === 'running' || sync.state === 'pending' ? `, step ${sync.step}` : '';
  const error = sync.error ? `: ${sync.error}` : '';
  return `#${sync.id} ${sync.state}${step} at ${formatTime(new Date(when))}${error}`;
}

/** `changeflow status [--watch [seconds]]`. */
export function registerStatusCommand(program: Command, run: CommandRunner): void {
  program
    .command('status')
    .description('outbox backlog, per worker its queue, in-flight and DLQ depth and slot holders, the last sync')
    .option('--watch [seconds]', 'refresh every N seconds (default 2) until interrupted', positiveNumber('seconds'))
    .action(
      run(async (context, options: { watch?: number | true }) => {
        const db = await context.db();
        const deps: StatusDependencies = {
          db,
          databaseUrl: context.config.databaseUrl,
          sqs: context.sqs(),
          semaphore: createSemaphore(db),
          workers: context.workers,
          prefix: context.config.prefix,
        };
        if (options.watch === undefined) {
          context.output.result(await readStatus(deps), renderStatus);
          return EXIT_CODES.ok;
        }
        const intervalMs = (options.watch === true ? 2 : options.watch) * 1000;
        while (!context.signal?.aborted) {
          const report = await readStatus(deps);
          context.output.clearScreen();
          context.output.result(report, renderStatus);
          await sleep(intervalMs, undefined, { signal: context.signal }).catch(() => {});
        }
        return EXIT_CODES.ok;
      }),
    );
}
