import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The outbox's Prometheus metrics, registered once per registry. */
export interface OutboxMetrics {
  /** Changes SNS accepted, by path: `fast` (after commit) or `sweep` (re-sent by the sweeper). */
  changesPublished: Counter<'path'>;
  /** Changes a publish attempt gave up on (left for the sweeper), by reason. */
  publishFailures: Counter<'reason'>;
  /** Duration of one `PublishBatch` call. */
  publishDuration: Histogram;
  /** Changes SNS accepted that wait to be marked published (the publisher stamps them in groups). */
  pendingMarks: Gauge;
  /** Duration of one grouped "mark published" statement. */
  markDuration: Histogram;
  /** Changes stamped by one grouped "mark published" statement. */
  markBatchSize: Histogram;
  /** Changes SNS accepted whose "mark published" statement failed; the sweeper re-sends them. */
  markFailures: Counter;
  /** Published changes removed by retention. */
  changesDeleted: Counter;
  /** Unpublished changes, as last measured by the sweeper. */
  backlog: Gauge;
  /** Age of the oldest unpublished change, as last measured by the sweeper. */
  oldestUnpublishedAge: Gauge;
}

const byRegistry = new WeakMap<Registry, OutboxMetrics>();

/** The outbox metrics on `registry`, created the first time (prom-client forbids registering a name twice). */
export function outboxMetrics(registry: Registry): OutboxMetrics {
  const existing = byRegistry.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const metrics: OutboxMetrics = {
    changesPublished: new Counter({
      name: 'changeflow_outbox_changes_published_total',
      help: 'Changes SNS accepted, by path (fast: after commit; sweep: re-sent by the sweeper)',
      labelNames: ['path'],
      registers,
    }),
    publishFailures: new Counter({
      name: 'changeflow_outbox_publish_failures_total',
      help: 'Changes a publish attempt gave up on and left for the sweeper, by reason',
      labelNames: ['reason'],
      registers,
    }),
    publishDuration: new Histogram({
      name: 'changeflow_outbox_publish_duration_seconds',
      help: 'Duration of one SNS PublishBatch call',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    pendingMarks: new Gauge({
      name: 'changeflow_outbox_pending_marks_changes',
      help: 'Changes SNS accepted that wait to be marked published',
      registers,
    }),
    markDuration: new Histogram({
      name: 'changeflow_outbox_mark_duration_seconds',
      help: 'Duration of one grouped mark-published statement, waiting for a connection included',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    markBatchSize: new Histogram({
      name: 'changeflow_outbox_mark_batch_size_changes',
      help: 'Changes stamped published by one grouped statement',
      buckets: [1, 5, 10, 25, 50, 100, 250, 1000, 2500, 10000],
      registers,
    }),
    markFailures: new Counter({
      name: 'changeflow_outbox_mark_failures_total',
      help: 'Changes SNS accepted whose mark-published statement failed (the sweeper re-sends them)',
      registers,
    }),
    changesDeleted: new Counter({
      name: 'changeflow_outbox_changes_deleted_total',
      help: 'Published changes deleted by retention',
      registers,
    }),
    backlog: new Gauge({
      name: 'changeflow_outbox_backlog_changes',
      help: 'Unpublished changes, as last measured by the sweeper',
      registers,
    }),
    oldestUnpublishedAge: new Gauge({
      name: 'changeflow_outbox_oldest_unpublished_age_seconds',
      help: 'Age of the oldest unpublished change, as last measured by the sweeper',
      registers,
    }),
  };
  byRegistry.set(registry, metrics);
  return metrics;
}
