import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The worker runtime's Prometheus metrics, registered once per registry. No ids in labels. */
export interface ConsumerMetrics {
  /** Messages by worker and outcome (`done`, `retry`, `deadLetter`, `split`, `abandoned`, `handedBack`). */
  messages: Counter<'worker' | 'outcome'>;
  /** Handler duration by worker. */
  handlerDuration: Histogram<'worker'>;
  /** Messages being handled in this process, by worker. */
  inFlight: Gauge<'worker'>;
  /** Runs started (a semaphore slot taken), by worker. */
  runs: Counter<'worker'>;
  /** Rows of `failed_messages` deleted by retention (`failedMessagesRetentionStep`). */
  failedMessagesDeleted: Counter;
}

const byRegistry = new WeakMap<Registry, ConsumerMetrics>();

/** The consumer metrics on `registry`, created the first time. */
export function consumerMetrics(registry: Registry): ConsumerMetrics {
  const existing = byRegistry.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const metrics: ConsumerMetrics = {
    messages: new Counter({
      name: 'changeflow_worker_messages_total',
      help: 'SQS messages processed, by worker and outcome',
      labelNames: ['worker', 'outcome'],
      registers,
    }),
    handlerDuration: new Histogram({
      name: 'changeflow_worker_handler_duration_seconds',
      help: 'Time a handler took for one message',
      labelNames: ['worker'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    inFlight: new Gauge({
      name: 'changeflow_worker_in_flight_messages',
      help: 'Messages being handled in this process',
      labelNames: ['worker'],
      registers,
    }),
    runs: new Counter({
      name: 'changeflow_worker_runs_total',
      help: 'Runs started: a semaphore slot taken and the queue polled',
      labelNames: ['worker'],
      registers,
    }),
    failedMessagesDeleted: new Counter({
      name: 'changeflow_worker_failed_messages_deleted_total',
      help: 'Old failed-message records deleted by retention',
      registers,
    }),
  };
  byRegistry.set(registry, metrics);
  return metrics;
}
