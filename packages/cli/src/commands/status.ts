import { setTimeout as sleep } from 'node:timers/promises';
import { type PipelineStatus, type PipelineStatusDependencies, readPipelineStatus } from '@changeflow/consumer';
import { explainPostgresError } from '@changeflow/errors';
import type { RevalDatabase, SyncJob } from '@changeflow/reval';
import type { SlotHolder } from '@changeflow/semaphore';
import { createSemaphore } from '@changeflow/semaphore';
import type { Command } from 'commander';
import type { Kysely } from 'kysely';
import { positiveNumber } from '../arguments.js';
import type { CommandRunner } from '../context.js';
import { EXIT_CODES } from '../exit-codes.js';
import { formatDuration, formatTable, formatTime } from '../output.js';
import { readLastSync } from '../queries/last-sync.js';

/** What `status` reads from. */
export interface StatusDependencies extends Omit<PipelineStatusDependencies, 'db'> {
  /** The primary database: the outbox's tables, `semaphore_slots` and (once migrated) `reval_sync_job`. */
  db: Kysely<RevalDatabase>;
}

/** The result of `changeflow status`: the pipeline and the last sync. */
export interface StatusReport extends PipelineStatus {
  /** The last full sync; `null` when none ran yet (or this database has no sync table). */
  lastSync: SyncJob | null;
}

/**
 * Reads the state on-call engineers look at first: the pipeline (`readPipelineStatus`: the outbox
 * backlog, per worker its queue, in-flight and DLQ counts and who holds its slots) and the last sync.
 */
export async function readStatus(deps: StatusDependencies): Promise<StatusReport> {
  const [pipeline, lastSync] = await Promise.all([
    readPipelineStatus(deps),
    readLastSync(deps.db).catch((err: unknown) => {
      throw explainPostgresError(err, deps.databaseUrl);
    }),
  ]);
  return { ...pipeline, lastSync: lastSync ?? null };
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
    .map((holder) => {
      const waiting = holder.wantedAt ? `, another process waits since ${formatTime(holder.wantedAt)}` : '';
      return `${holder.holder} (slot ${holder.slot}, until ${formatTime(holder.expiresAt)}${waiting})`;
    })
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
