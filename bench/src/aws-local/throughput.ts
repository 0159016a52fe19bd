import { EventEmitter, once } from 'node:events';
import { PublishBatchCommand } from '@aws-sdk/client-sns';
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { AwsClients } from '@changeflow/aws';
import { withDeadline } from '../support/deadline.js';
import { showProgress } from '../support/progress.js';
import { runTogether, unlessAborted } from '../support/run-together.js';
import type { Pipeline } from './pipeline.js';

/** What the throughput run is asked to do. */
export interface ThroughputOptions {
  /** Messages to publish, 10 per PublishBatch. */
  readonly messages: number;
  /** Concurrent PublishBatch loops. */
  readonly publishers: number;
  /** Concurrent ReceiveMessage -> DeleteMessageBatch loops. */
  readonly consumers: number;
  /**
   * Messages published but not yet delivered above which publishers wait for consumers. Without it
   * publishers outrun consumers (they share this process's one core with them), and the figure would
   * depend on `messages` (how long a backlog gets drained alone) rather than on the pipeline.
   */
  readonly maxBacklog: number;
  /** The run stops here whether or not every message got through. */
  readonly maxSeconds: number;
}

/** What the throughput run measured. Only messages received and then deleted count as delivered. */
export interface ThroughputFigures {
  readonly published: number;
  /** Entries SNS reported in `Failed` of a PublishBatch (not retried). */
  readonly publishFailed: number;
  /** Distinct messages received and deleted. */
  readonly delivered: number;
  /** Messages received and deleted a second time. */
  readonly duplicates: number;
  /** Every message asked for was published and delivered before `maxSeconds`. */
  readonly completed: boolean;
  /** From the first publish call to the last delete that counted. */
  readonly durationMs: number;
  readonly messagesPerSecond: number;
  /** From the first publish call to the last publish answered. */
  readonly publishDurationMs: number;
  readonly publishedPerSecond: number;
  /** CPU this process (publishers, consumers, SDK) used, as a percentage of one core over `durationMs`. */
  readonly clientCpuPercent: number;
}

/** SNS's and SQS's largest batch. */
const BATCH_SIZE = 10;
/** A consumer long-polls the way the worker runtime does; it is aborted once everything is delivered. */
const WAIT_TIME_SECONDS = 20;

/**
 * Pushes `messages` change messages through topic -> queue with publishers and consumers running at
 * once, as in production, and counts what comes out the far end.
 */
export async function measureThroughput(
  aws: AwsClients,
  pipeline: Pipeline,
  options: ThroughputOptions,
  signal: AbortSignal,
): Promise<ThroughputFigures> {
  const runSignal = withDeadline(signal, options.maxSeconds * 1000).signal;
  // Aborted once every published message is delivered, to end the consumers' waiting long polls.
  const drained = new AbortController();
  let claimed = 0;
  let published = 0;
  let publishFailed = 0;
  let isPublishingDone = false;
  const delivered = new Set<number>();
  let duplicates = 0;
  const startedAt = performance.now();
  let publishEndedAt = startedAt;
  let lastDeliveryAt = startedAt;

  // Emitted after each delete batch: wakes publishers waiting for the backlog to shrink.
  const deliveries = new EventEmitter().setMaxListeners(options.publishers + 1);
  const cpuAtStart = process.cpuUsage();

  const checkDrained = () => {
    if (isPublishingDone && delivered.size >= published) drained.abort();
  };

  const publish = async (loopSignal: AbortSignal) => {
    while (!loopSignal.aborted && claimed < options.messages) {
      // Entries SNS refused will never arrive, so they are not backlog.
      if (claimed - publishFailed - delivered.size >= options.maxBacklog) {
        await once(deliveries, 'delivered', { signal: loopSignal });
        continue;
      }
      const first = claimed;
      const count = Math.min(BATCH_SIZE, options.messages - first);
      claimed += count;
      const entries = Array.from({ length: count }, (_, i) => ({
        Id: String(i),
        Message: changeMessageBody(first + i),
      }));
      const answer = await aws.sns.send(
        new PublishBatchCommand({ TopicArn: pipeline.topicArn, PublishBatchRequestEntries: entries }),
        { abortSignal: loopSignal },
      );
      published += answer.Successful?.length ?? 0;
      publishFailed += answer.Failed?.length ?? 0;
      publishEndedAt = performance.now();
    }
  };

  const consume = async (loopSignal: AbortSignal) => {
    const receiveSignal = AbortSignal.any([loopSignal, drained.signal]);
    while (!receiveSignal.aborted) {
      const received = await unlessAborted(
        receiveSignal,
        aws.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: pipeline.queueUrl,
            MaxNumberOfMessages: BATCH_SIZE,
            WaitTimeSeconds: WAIT_TIME_SECONDS,
          }),
          { abortSignal: receiveSignal },
        ),
      );
      const messages = (received?.Messages ?? []).flatMap((message, index) =>
        message.ReceiptHandle === undefined
          ? []
          : [{ id: String(index), body: message.Body, receipt: message.ReceiptHandle }],
      );
      if (messages.length === 0) continue;
      const answer = await aws.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: pipeline.queueUrl,
          Entries: messages.map((message) => ({ Id: message.id, ReceiptHandle: message.receipt })),
        }),
        { abortSignal: loopSignal },
      );
      const deleted = new Set(answer.Successful?.map((entry) => entry.Id));
      for (const message of messages) {
        if (!deleted.has(message.id)) continue;
        const sequence = sequenceOf(message.body);
        if (sequence === undefined) throw new Error(`the queue delivered a message that is not ours: ${message.body}`);
        if (delivered.has(sequence)) duplicates += 1;
        else delivered.add(sequence);
      }
      lastDeliveryAt = performance.now();
      deliveries.emit('delivered');
      checkDrained();
    }
  };

  const stopProgress = showProgress(
    () => `aws-local throughput: published ${published}, delivered ${delivered.size} of ${options.messages}`,
  );
  let publishersRunning = options.publishers;
  try {
    // One group, so a failing publisher stops the consumers too, and the other way round.
    await runTogether(options.consumers + options.publishers, runSignal, async (copy, loopSignal) => {
      if (copy < options.consumers) return consume(loopSignal);
      try {
        await publish(loopSignal);
      } finally {
        publishersRunning -= 1;
        if (publishersRunning === 0) {
          isPublishingDone = true;
          checkDrained();
        }
      }
    });
  } finally {
    stopProgress();
  }

  const cpu = process.cpuUsage(cpuAtStart);
  const durationMs = lastDeliveryAt - startedAt;
  const publishDurationMs = publishEndedAt - startedAt;
  return {
    published,
    publishFailed,
    delivered: delivered.size,
    duplicates,
    completed: published === options.messages && delivered.size === options.messages,
    durationMs,
    messagesPerSecond: perSecond(delivered.size, durationMs),
    publishDurationMs,
    publishedPerSecond: perSecond(published, publishDurationMs),
    clientCpuPercent: durationMs > 0 ? (cpu.user + cpu.system) / 10 / durationMs : Number.NaN,
  };
}

function perSecond(count: number, durationMs: number): number {
  return durationMs > 0 ? (count * 1000) / durationMs : Number.NaN;
}

/**
 * A body shaped like DESIGN.md §4's change message carrying one change, so the bytes on the wire and
 * the parse at the far end are those of the real thing. `changeNumber` is the message's sequence.
 */
function changeMessageBody(sequence: number): string {
  return JSON.stringify({
    changes: [
      {
        changeNumber: String(sequence),
        objectType: 'trainee',
        objectId: `bench-${sequence}`,
        objectVersion: 1,
        changeType: 'UPDATE',
        timestamp: new Date().toISOString(),
        userId: 'bench',
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      },
    ],
  });
}

/** The sequence of a body made by {@link changeMessageBody}, parsed as a worker would parse it. */
function sequenceOf(body: string | undefined): number | undefined {
  if (body === undefined) return undefined;
  const parsed: unknown = JSON.parse(body);
  if (typeof parsed !== 'object' || parsed === null || !('changes' in parsed) || !Array.isArray(parsed.changes)) {
    return undefined;
  }
  const change: unknown = parsed.changes[0];
  if (typeof change !== 'object' || change === null || !('changeNumber' in change)) return undefined;
  const sequence = Number(change.changeNumber);
  return Number.isInteger(sequence) ? sequence : undefined;
}
