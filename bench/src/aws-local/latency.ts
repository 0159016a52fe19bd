import { EventEmitter, once } from 'node:events';
import { setTimeout } from 'node:timers/promises';
import { PublishCommand } from '@aws-sdk/client-sns';
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { AwsClients } from '@changeflow/aws';
import { withDeadline } from '../support/deadline.js';
import { type Percentiles, percentiles } from '../support/percentiles.js';
import { showProgress } from '../support/progress.js';
import { runTogether, unlessAborted } from '../support/run-together.js';
import type { Pipeline } from './pipeline.js';

/** What the latency run is asked to do. */
export interface LatencyOptions {
  /** Publish -> receive round trips to measure, one at a time. */
  readonly samples: number;
  /** The run stops here whether or not every sample was taken. */
  readonly maxSeconds: number;
}

/** What the latency run measured, in milliseconds. */
export interface LatencyFigures {
  /** Latencies of the samples that arrived (warm-up excluded). */
  readonly latencyMs: Percentiles;
  /** Samples published but not received within {@link SAMPLE_TIMEOUT_MS}. */
  readonly lost: number;
}

/**
 * Long polls kept waiting. Two, as the worker runtime's consumers would be, so one is waiting while
 * the other is deleting; each must be back in flight before the next sample is published.
 */
const POLLERS = 2;
const WAIT_TIME_SECONDS = 20;
/** Round trips run first and not counted: they open the keep-alive sockets and warm the JIT. */
const WARMUP_SAMPLES = 20;
/** A sample not received by then counts as lost and the run moves on. */
const SAMPLE_TIMEOUT_MS = 5_000;
/**
 * Pause between a poller's ReceiveMessage leaving and the next publish. "In flight" here means the SDK
 * has the call, not that the server has registered the poll; on the loopback 2 ms covers the gap, so
 * the figure is publish -> delivery to a waiting poll, not publish -> next poll.
 */
const SETTLE_MS = 2;

/**
 * Measures publish -> receive latency: one message at a time, its body carrying the time it was
 * published, received by a long poll that was already waiting.
 */
export async function measureLatency(
  aws: AwsClients,
  pipeline: Pipeline,
  options: LatencyOptions,
  signal: AbortSignal,
): Promise<LatencyFigures> {
  const runSignal = withDeadline(signal, options.maxSeconds * 1000).signal;
  const samplingDone = new AbortController();
  const arrivals = new Map<number, (latencyMs: number) => void>();
  const pollers = new EventEmitter();
  let pollsInFlight = 0;
  const latencies: number[] = [];
  let lost = 0;

  const poll = async (pollSignal: AbortSignal) => {
    while (!pollSignal.aborted) {
      pollsInFlight += 1;
      pollers.emit('change');
      let answer: Awaited<ReturnType<typeof receive>> | undefined;
      try {
        answer = await unlessAborted(pollSignal, receive(aws, pipeline, pollSignal));
      } finally {
        pollsInFlight -= 1;
        pollers.emit('change');
      }
      const receivedAt = performance.now();
      const messages = answer?.Messages ?? [];
      for (const message of messages) {
        const sample = sampleOf(message.Body);
        if (sample) arrivals.get(sample.sequence)?.(receivedAt - sample.publishedAtMs);
      }
      const entries = messages.flatMap((message, index) =>
        message.ReceiptHandle === undefined ? [] : [{ Id: String(index), ReceiptHandle: message.ReceiptHandle }],
      );
      if (entries.length === 0) continue;
      await unlessAborted(
        pollSignal,
        aws.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: pipeline.queueUrl, Entries: entries }), {
          abortSignal: pollSignal,
        }),
      );
    }
  };

  const allPollersWaiting = async (loopSignal: AbortSignal) => {
    while (pollsInFlight < POLLERS) await once(pollers, 'change', { signal: loopSignal });
    await setTimeout(SETTLE_MS, undefined, { signal: loopSignal });
  };

  const sample = async (loopSignal: AbortSignal) => {
    for (let sequence = 0; sequence < WARMUP_SAMPLES + options.samples && !loopSignal.aborted; sequence += 1) {
      await allPollersWaiting(loopSignal);
      const arrived = new Promise<number>((resolve) => arrivals.set(sequence, resolve));
      const publishedAtMs = performance.now();
      await aws.sns.send(
        new PublishCommand({ TopicArn: pipeline.topicArn, Message: JSON.stringify({ sequence, publishedAtMs }) }),
        { abortSignal: loopSignal },
      );
      const latencyMs = await within(arrived, SAMPLE_TIMEOUT_MS, loopSignal);
      arrivals.delete(sequence);
      if (loopSignal.aborted) return;
      if (latencyMs === undefined) lost += 1;
      else if (sequence >= WARMUP_SAMPLES) latencies.push(latencyMs);
    }
  };

  const stopProgress = showProgress(() => `aws-local latency: ${latencies.length} of ${options.samples} samples`);
  try {
    await runTogether(POLLERS + 1, runSignal, async (copy, loopSignal) => {
      if (copy < POLLERS) return poll(AbortSignal.any([loopSignal, samplingDone.signal]));
      try {
        await sample(loopSignal);
      } finally {
        // Ends the waiting long polls, so the run finishes now rather than up to 20 s later.
        samplingDone.abort();
      }
    });
  } finally {
    stopProgress();
  }
  return { latencyMs: percentiles(latencies), lost };
}

function receive(aws: AwsClients, pipeline: Pipeline, signal: AbortSignal) {
  return aws.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: pipeline.queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: WAIT_TIME_SECONDS,
    }),
    { abortSignal: signal },
  );
}

/** `promise`'s value, or `undefined` if `timeoutMs` passes or `signal` aborts first. Leaves no timer behind. */
async function within<T>(promise: Promise<T>, timeoutMs: number, signal: AbortSignal): Promise<T | undefined> {
  const settled = new AbortController();
  const timeout = setTimeout(timeoutMs, undefined, { signal: AbortSignal.any([signal, settled.signal]) }).catch(
    () => undefined,
  );
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    settled.abort();
  }
}

/** The `{ sequence, publishedAtMs }` body of a sample, or `undefined` for anything else. */
function sampleOf(body: string | undefined): { sequence: number; publishedAtMs: number } | undefined {
  if (body === undefined) return undefined;
  const parsed: unknown = JSON.parse(body);
  if (typeof parsed !== 'object' || parsed === null || !('sequence' in parsed) || !('publishedAtMs' in parsed)) {
    return undefined;
  }
  const { sequence, publishedAtMs } = parsed;
  if (typeof sequence !== 'number' || typeof publishedAtMs !== 'number') return undefined;
  return { sequence, publishedAtMs };
}
