import type { SQSClient } from '@aws-sdk/client-sqs';
import { queueDepth } from '@changeflow/aws';
import { toError } from '@changeflow/errors';
import { type OutboxDatabase, type OutboxMetrics, unpublishedStats } from '@changeflow/outbox';
import type { Semaphore } from '@changeflow/semaphore';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import { withTimeout } from './readiness.js';

/**
 * How long one source may take during a scrape. Prometheus's default scrape timeout is 10 s; a
 * source that does not answer within this keeps its last value and the scrape goes on.
 */
export const SCRAPE_SOURCE_TIMEOUT_MS = 3_000;

/** One worker's queues and slot key, as the metrics read them. */
export interface ScrapedWorker {
  name: string;
  queueUrl: string;
  deadLetterQueueUrl: string;
  /** The worker's semaphore key, `changeflow:worker:<name>` (the runtime's). */
  semaphoreKey: string;
  maxLocks: number;
}

/** What the scrape-time metrics read. */
export interface ScrapeMetricsDependencies {
  registry: Registry;
  sqs: SQSClient;
  semaphore: Semaphore;
  db: Kysely<OutboxDatabase>;
  /** The outbox metrics on the same registry; their backlog gauges are refreshed on each scrape. */
  outboxMetrics: OutboxMetrics;
  workers: readonly ScrapedWorker[];
  logger: Logger;
}

/** Refreshes what prom-client's `collect()` cannot reach (gauges registered by another package). */
export interface ScrapeMetrics {
  /** Sets the outbox backlog gauges from `unpublishedStats`. Never rejects: a failure is logged. */
  refreshOutbox(): Promise<void>;
}

/**
 * Registers the gauges measured at scrape time (prom-client `collect()`), on every instance alike:
 * - `changeflow_worker_queue_messages{worker, queue="main|dlq", state="visible|in_flight"}`
 *   from `GetQueueAttributes` of each worker's queue and DLQ;
 * - `changeflow_worker_held_slots{worker}` from the semaphore's `holders()`, across the cluster;
 * - `changeflow_worker_max_slots{worker}`, the worker's `maxLocks`.
 * The outbox's own `changeflow_outbox_backlog_changes` and `changeflow_outbox_oldest_unpublished_age_seconds`
 * are set by the sweeper only in the instance that runs it; {@link ScrapeMetrics.refreshOutbox} sets them
 * on every scrape of every instance.
 *
 * A source that fails or times out is logged at warn and its gauges keep their last values: one broken
 * dependency must not take the other metrics down with it.
 */
export function registerScrapeMetrics(deps: ScrapeMetricsDependencies): ScrapeMetrics {
  const log = deps.logger.child({ component: 'metrics' });
  const registers = [deps.registry];
  const warn = (err: unknown, source: string, worker?: string) =>
    log.warn({ err: toError(err), source, worker }, 'a metrics source failed; its gauges keep their last values');

  new Gauge({
    name: 'changeflow_worker_queue_messages',
    help: 'Messages in each worker queue and its dead-letter queue (queue="main|dlq"), by state: visible (waiting) or in_flight (received, not yet deleted)',
    labelNames: ['worker', 'queue', 'state'],
    registers,
    async collect() {
      await Promise.all(
        deps.workers.map(async (worker) => {
          try {
            const signal = AbortSignal.timeout(SCRAPE_SOURCE_TIMEOUT_MS);
            const [main, dlq] = await Promise.all([
              queueDepth(deps.sqs, worker.queueUrl, { abortSignal: signal }),
              queueDepth(deps.sqs, worker.deadLetterQueueUrl, { abortSignal: signal }),
            ]);
            for (const [queue, depth] of [
              ['main', main],
              ['dlq', dlq],
            ] as const) {
              this.set({ worker: worker.name, queue, state: 'visible' }, depth.visible);
              this.set({ worker: worker.name, queue, state: 'in_flight' }, depth.inFlight);
            }
          } catch (err) {
            warn(err, 'sqs', worker.name);
          }
        }),
      );
    },
  });

  new Gauge({
    name: 'changeflow_worker_held_slots',
    help: 'Semaphore slots of each worker held now by any instance of the cluster (at most max_slots)',
    labelNames: ['worker'],
    registers,
    async collect() {
      await Promise.all(
        deps.workers.map(async (worker) => {
          try {
            const signal = AbortSignal.timeout(SCRAPE_SOURCE_TIMEOUT_MS);
            const holders = await withTimeout(deps.semaphore.holders(worker.semaphoreKey), signal);
            this.set({ worker: worker.name }, holders.length);
          } catch (err) {
            warn(err, 'semaphore', worker.name);
          }
        }),
      );
    },
  });

  const maxSlots = new Gauge({
    name: 'changeflow_worker_max_slots',
    help: 'Semaphore slots of each worker (its maxLocks): instances that may run it at once',
    labelNames: ['worker'],
    registers,
  });
  for (const worker of deps.workers) maxSlots.set({ worker: worker.name }, worker.maxLocks);

  return {
    async refreshOutbox() {
      try {
        const stats = await withTimeout(unpublishedStats(deps.db), AbortSignal.timeout(SCRAPE_SOURCE_TIMEOUT_MS));
        deps.outboxMetrics.backlog.set(stats.count);
        deps.outboxMetrics.oldestUnpublishedAge.set((stats.oldestAgeMs ?? 0) / 1000);
      } catch (err) {
        warn(err, 'outbox');
      }
    },
  };
}
