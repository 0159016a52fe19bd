/**
 * `npm run bench -- aws-local`: the ceiling of the local pipeline. The local SNS/SQS runs in its own
 * process (or `AWS_ENDPOINT_URL` is used); this process publishes through SNS into SQS and receives,
 * measuring (a) throughput with batches and concurrency and (b) publish -> receive latency one message
 * at a time. Nothing Changeflow adds on top (Postgres, the outbox, handlers) can go faster than this.
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { awsOptionsFromEnv, createAwsClients } from '@changeflow/aws';
import { openBenchAwsEndpoint } from '../support/aws-endpoint.js';
import { defineBenchmark } from '../support/benchmark.js';
import { progress } from '../support/progress.js';
import { report } from '../support/report.js';
import { withCleanup } from '../support/with-cleanup.js';
import { measureLatency } from './latency.js';
import { createPipeline } from './pipeline.js';
import { measureThroughput } from './throughput.js';

export const benchmark = defineBenchmark({
  description: 'ceiling of SNS -> SQS on the local emulator: messages/s and publish -> receive latency',
  options: {
    messages: { description: 'messages for the throughput run', default: 20_000, min: 10, max: 1_000_000 },
    publishers: { description: 'concurrent PublishBatch loops (10 messages a call)', default: 4, min: 1, max: 32 },
    consumers: { description: 'concurrent ReceiveMessage/DeleteMessageBatch loops', default: 2, min: 1, max: 32 },
    maxBacklog: {
      description: 'messages published but not yet delivered above which publishers wait',
      default: 1_000,
      min: 10,
      max: 1_000_000,
    },
    samples: { description: 'publish -> receive round trips for the latency run', default: 500, min: 1, max: 100_000 },
    maxSeconds: { description: 'time limit of each run, in seconds', default: 120, min: 1, max: 3_600 },
  },
  run: (options, { name, signal }) =>
    withCleanup(async (defer) => {
      const local = await openBenchAwsEndpoint();
      defer(() => local.stop());
      const aws = createAwsClients({ ...awsOptionsFromEnv(), endpoint: local.endpoint });
      defer(() => aws.destroy());
      // Sampled before this run adds to it: figures taken while other work loads the machine are lower.
      const [loadAverage1m] = loadavg();
      const prefix = `cf-bench-${randomBytes(4).toString('hex')}`;
      progress(`aws-local: endpoint ${local.endpoint} (${local.source}), names ${prefix}-*`);

      // One pipeline per run, so a backlog the throughput run left behind cannot delay a latency sample.
      const throughputPipeline = await createPipeline(aws, `${prefix}-throughput`, signal);
      defer(() => throughputPipeline.delete());
      const latencyPipeline = await createPipeline(aws, `${prefix}-latency`, signal);
      defer(() => latencyPipeline.delete());

      const throughput = await measureThroughput(aws, throughputPipeline, options, signal);
      const latency = await measureLatency(aws, latencyPipeline, options, signal);
      if (signal.aborted) throw new Error('the figures are incomplete, so none are reported');

      report(name, {
        endpoint: local.source,
        cpus: availableParallelism(),
        loadAverage1m: loadAverage1m ?? Number.NaN,
        messagesPerSecond: throughput.messagesPerSecond,
        delivered: throughput.delivered,
        messages: options.messages,
        completed: throughput.completed,
        durationMs: throughput.durationMs,
        publishedPerSecond: throughput.publishedPerSecond,
        publishFailed: throughput.publishFailed,
        duplicates: throughput.duplicates,
        publishers: options.publishers,
        consumers: options.consumers,
        maxBacklog: options.maxBacklog,
        clientCpuPercent: throughput.clientCpuPercent,
        latencySamples: latency.latencyMs.count,
        latencyLost: latency.lost,
        latencyP50Ms: latency.latencyMs.p50,
        latencyP95Ms: latency.latencyMs.p95,
        latencyP99Ms: latency.latencyMs.p99,
        latencyMaxMs: latency.latencyMs.max,
      });
    }),
});
