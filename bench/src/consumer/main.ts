/**
 * `npm run bench -- consumer`: how many messages a second one process's worker runtime gets through
 * with a handler that does nothing. The worker queues are pre-loaded with `--messages` single-change
 * messages (SendMessageBatch), then the runtime runs each worker until its queue is empty; the figure
 * is messages handled and deleted / (first receive -> last delete). Everything but the handler is
 * the real thing: the semaphore slot in Postgres, the receive loop, decoding, metrics, batched
 * deletes. The local SNS/SQS runs in its own child process, as the harness provides.
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { CreateTopicCommand, DeleteTopicCommand } from '@aws-sdk/client-sns';
import { DeleteQueueCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type AwsClients, awsOptionsFromEnv, createAwsClients, queueDepth } from '@changeflow/aws';
import {
  createWorkerRuntime,
  defineWorker,
  type MessageOutcome,
  type ProvisionedWorker,
  provision,
} from '@changeflow/consumer';
import { topicName } from '@changeflow/outbox';
import { createSemaphore } from '@changeflow/semaphore';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { openBenchAwsEndpoint, startAwsLocalProcess } from '../support/aws-endpoint.js';
import { defineBenchmark } from '../support/benchmark.js';
import { pidCpuSeconds } from '../support/cpu-usage.js';
import { withDeadline } from '../support/deadline.js';
import { progress, showProgress } from '../support/progress.js';
import { report } from '../support/report.js';
import { withCleanup } from '../support/with-cleanup.js';
import { openConsumerBenchDatabase } from './bench-database.js';
import { preloadQueues } from './preload.js';
import { type CallStats, recordSqsCalls } from './sqs-call-stats.js';

/** Never ticks during a run (1 January, midnight): the benchmark starts each run itself with runOnce. */
const NEVER = '0 0 1 1 *';
/** Visibility longer than any run may last, so a message is never delivered twice because the run was slow. */
const VISIBILITY_TIMEOUT_SECONDS = 3_600;

export const benchmark = defineBenchmark({
  description: 'worker runtime throughput: single-change messages/s through one process with a no-op handler',
  options: {
    messages: { description: 'messages pre-loaded and then handled', default: 20_000, min: 10, max: 1_000_000 },
    concurrency: {
      description:
        "each worker's concurrency: handlers at once, which is also the runtime's cap on messages in flight (received, not yet deleted) per worker",
      default: 10,
      min: 1,
      max: 500,
    },
    queues: {
      description: 'workers in the one process, each with its own queue and receive loop; messages are spread evenly',
      default: 1,
      min: 1,
      max: 16,
    },
    senders: { description: 'concurrent SendMessageBatch loops pre-loading the queues', default: 8, min: 1, max: 64 },
    maxSeconds: { description: 'time limit of the handling run, in seconds', default: 300, min: 1, max: 3_600 },
  },
  run: (options, { name, signal }) =>
    withCleanup(async (defer) => {
      // Spawned here rather than through openBenchAwsEndpoint() for its pid: the emulator's CPU is a figure.
      const local = process.env.AWS_ENDPOINT_URL?.trim()
        ? { ...(await openBenchAwsEndpoint()), pid: undefined }
        : { ...(await startAwsLocalProcess()), source: 'spawned' as const };
      defer(() => local.stop());
      const aws = createAwsClients({ ...awsOptionsFromEnv(), endpoint: local.endpoint });
      defer(() => aws.destroy());
      const database = await openConsumerBenchDatabase();
      defer(() => database.close());
      const prefix = `cf-bench-${randomBytes(4).toString('hex')}`;
      progress(`consumer: endpoint ${local.endpoint} (${local.source}), Postgres ${database.where}, names ${prefix}-*`);

      const workers = Array.from({ length: options.queues }, (_, index) =>
        defineWorker({
          name: `consumer-${index + 1}`,
          subscribesTo: ['trainee'],
          concurrency: options.concurrency,
          visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_SECONDS,
          schedule: NEVER,
          runWindowMs: options.maxSeconds * 1000,
          waitTimeSeconds: 1,
          async handle() {},
        }),
      );
      const provisioned = await provision(aws, workers, prefix);
      defer(() => deleteTopology(aws, provisioned, prefix));
      const queueUrls = provisioned.map((worker) => worker.queueUrl);

      const preload = await preloadQueues(aws.sqs, queueUrls, options.messages, options.senders, signal);
      const waiting = await depthOf(aws.sqs, queueUrls);
      if (waiting.visible !== options.messages) {
        throw new Error(`pre-loaded ${options.messages} messages but the queues hold ${waiting.visible}`);
      }

      const runtime = createWorkerRuntime(
        {
          sqs: aws.sqs,
          sns: aws.sns,
          db: database.db,
          semaphore: createSemaphore(database.db),
          logger: pino({ level: 'silent' }),
          registry: new Registry(),
        },
        workers,
        { prefix },
      );
      defer(() => runtime.stop());
      const outcomes = new Map<MessageOutcome, number>();
      let done = 0;
      let lastDoneAt = 0;
      runtime.on('message:processed', (event) => {
        outcomes.set(event.outcome, (outcomes.get(event.outcome) ?? 0) + 1);
        if (event.outcome === 'done') {
          done += 1;
          lastDoneAt = performance.now();
        }
      });
      await runtime.start();

      const deadline = withDeadline(signal, options.maxSeconds * 1000).signal;
      const stopOnDeadline = () => void runtime.stop();
      deadline.addEventListener('abort', stopOnDeadline, { once: true });
      const calls = recordSqsCalls(aws.sqs);
      const load = loadavg()[0] ?? Number.NaN;
      const emulatorCpuAtStart = pidCpuSeconds(local.pid);
      const cpuAtStart = process.cpuUsage();
      const stopProgress = showProgress(() => `consumer: handled ${done} of ${options.messages}`);
      calls.start();
      const startedAt = performance.now();
      try {
        // A run ends when its queue is empty; another starts only if messages are left (a failed receive).
        while (done < options.messages && !deadline.aborted) {
          await Promise.all(workers.map((worker) => runtime.runOnce(worker.name)));
        }
      } finally {
        stopProgress();
        deadline.removeEventListener('abort', stopOnDeadline);
      }
      const durationMs = lastDoneAt - startedAt;
      const cpu = process.cpuUsage(cpuAtStart);
      const emulatorCpuSeconds = pidCpuSeconds(local.pid) - emulatorCpuAtStart;
      const sqsCalls = calls.stop();
      await runtime.stop();
      if (signal.aborted) throw new Error('interrupted: the figures are incomplete, so none are reported');

      const left = await depthOf(aws.sqs, queueUrls);
      const receive = sqsCalls.get('ReceiveMessageCommand');
      const deletes = sqsCalls.get('DeleteMessageBatchCommand');
      report(name, {
        endpoint: local.source,
        cpus: availableParallelism(),
        loadAverage1m: load,
        messages: options.messages,
        queues: options.queues,
        concurrency: options.concurrency,
        handled: done,
        otherOutcomes: [...outcomes.entries()]
          .filter(([outcome]) => outcome !== 'done')
          .reduce((sum, [, count]) => sum + count, 0),
        completed: done === options.messages && left.visible + left.inFlight === 0,
        leftInQueues: left.visible + left.inFlight,
        durationMs,
        messagesPerSecond: durationMs > 0 ? (done * 1000) / durationMs : Number.NaN,
        preloadMessagesPerSecond: (options.messages * 1000) / preload.durationMs,
        workerCpuPercent: ((cpu.user + cpu.system) / 1000 / durationMs) * 100,
        emulatorCpuPercent: ((emulatorCpuSeconds * 1000) / durationMs) * 100,
        receiveCalls: receive?.calls ?? 0,
        messagesPerReceive: ratio(receive?.items, receive?.calls),
        receiveMeanMs: ratio(receive?.totalMs, receive?.calls),
        deleteBatchCalls: deletes?.calls ?? 0,
        entriesPerDeleteBatch: ratio(deletes?.items, deletes?.calls),
        deleteBatchMeanMs: ratio(deletes?.totalMs, deletes?.calls),
        otherSqsCalls: [...sqsCalls.entries()]
          .filter(([command]) => command !== 'ReceiveMessageCommand' && command !== 'DeleteMessageBatchCommand')
          .reduce((sum, [, stats]: [string, CallStats]) => sum + stats.calls, 0),
      });
    }),
});

function ratio(numerator: number | undefined, denominator: number | undefined): number {
  return numerator !== undefined && denominator ? numerator / denominator : Number.NaN;
}

async function depthOf(sqs: SQSClient, queueUrls: readonly string[]): Promise<{ visible: number; inFlight: number }> {
  let visible = 0;
  let inFlight = 0;
  for (const queueUrl of queueUrls) {
    const depth = await queueDepth(sqs, queueUrl);
    visible += depth.visible;
    inFlight += depth.inFlight;
  }
  return { visible, inFlight };
}

/** Deletes every queue, DLQ and the topic the run provisioned; throws if any deletion failed. */
async function deleteTopology(aws: AwsClients, provisioned: readonly ProvisionedWorker[], prefix: string) {
  const deadline = () => ({ abortSignal: AbortSignal.timeout(10_000) });
  const { TopicArn } = await aws.sns.send(new CreateTopicCommand({ Name: topicName(prefix, 'trainee') }), deadline());
  const results = await Promise.allSettled([
    ...provisioned.flatMap((worker) => [
      aws.sqs.send(new DeleteQueueCommand({ QueueUrl: worker.queueUrl }), deadline()),
      aws.sqs.send(new DeleteQueueCommand({ QueueUrl: worker.deadLetterQueueUrl }), deadline()),
    ]),
    aws.sns.send(new DeleteTopicCommand({ TopicArn }), deadline()),
  ]);
  const failed = results.filter((result) => result.status === 'rejected');
  if (failed.length > 0) {
    throw new AggregateError(
      failed.map((result) => result.reason),
      `cannot delete ${failed.length} of the benchmark's queues and topics (names ${prefix}-*)`,
    );
  }
}
