import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateTopicCommand,
  type MessageAttributeValue,
  PublishBatchCommand,
  type PublishBatchCommandOutput,
  type PublishBatchRequestEntry,
  type SNSClient,
} from '@aws-sdk/client-sns';
import { jitteredBackoff, parseOptions, toError } from '@changeflow/errors';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { z } from 'zod';
import { createMarkQueue, type MarkQueue } from './mark-queue.js';
import { type PackedMessage, packBatches, packMessages, SNS_MAX_PAYLOAD_BYTES } from './message-codec.js';
import type { OutboxMetrics } from './metrics.js';
import type { OutboxDatabase } from './schema.js';
import { topicName } from './topology.js';
import type { RecordedChange } from './types.js';

/** Room kept under SNS's 256 KiB for the request's own framing. */
const PAYLOAD_MARGIN_BYTES = 1024;

export const publisherOptionsSchema = z.object({
  /**
   * Topic names are `<topicPrefix>-<objectType>`; SNS allows `[A-Za-z0-9_-]`, 256 characters in all.
   */
  topicPrefix: z.string().regex(/^[A-Za-z0-9_-]{1,180}$/, 'must be 1-180 letters, digits, "-" or "_"'),
  /**
   * Changes packed into one SNS message at most. Smaller messages split faster when a worker fails one.
   * @defaultValue 100
   */
  maxChangesPerMessage: z.number().int().positive().max(10_000).default(100),
  /**
   * Bytes of one message, attributes included (SNS allows 256 KiB).
   * @defaultValue 261120 (256 KiB less 1 KiB)
   */
  maxMessageBytes: z
    .number()
    .int()
    .min(4096)
    .max(SNS_MAX_PAYLOAD_BYTES)
    .default(SNS_MAX_PAYLOAD_BYTES - PAYLOAD_MARGIN_BYTES),
  /**
   * Bytes of one `PublishBatch` call in all (SNS allows 256 KiB across its entries).
   * @defaultValue 261120 (256 KiB less 1 KiB)
   */
  maxBatchBytes: z
    .number()
    .int()
    .min(4096)
    .max(SNS_MAX_PAYLOAD_BYTES)
    .default(SNS_MAX_PAYLOAD_BYTES - PAYLOAD_MARGIN_BYTES),
  /**
   * `PublishBatch` calls in flight at once from this process; changes that arrive meanwhile share the next ones.
   * @defaultValue 8
   */
  maxConcurrentRequests: z.number().int().positive().max(256).default(8),
  /**
   * Under load, the least time between two `PublishBatch` calls that are not full, as Kafka's
   * `linger.ms`: changes committed meanwhile wait and share the next call, so one call carries a few
   * milliseconds of changes instead of one transaction's (the SDK's signing and parsing, and SNS's
   * request charge, are per call). Under load means several transactions are waiting, or the last call
   * carried several; one transaction at a time is sent at once. 0 never lingers.
   * @defaultValue 5
   */
  lingerMs: z.number().int().nonnegative().max(1_000).default(5),
  /**
   * Attempts for an entry SNS rejected with a retryable (non-sender) fault, including the first. A whole
   * call that fails is retried by the SDK (`maxAttempts` in `@changeflow/aws`), not again here.
   * @defaultValue 3
   */
  maxEntryAttempts: z.number().int().positive().max(20).default(3),
  /**
   * First delay before re-sending rejected entries; doubles per attempt, with full jitter.
   * @defaultValue 50
   */
  retryBaseDelayMs: z.number().int().nonnegative().default(50),
  /**
   * How long a change SNS accepted may wait to be marked published, so that the changes accepted
   * meanwhile share one UPDATE. Longer means fewer statements and more changes re-sent by the sweeper
   * after a crash; keep it far below the sweeper's `graceMs`, or the sweeper re-sends what is only
   * waiting for its stamp.
   * @defaultValue 20
   */
  markIntervalMs: z.number().int().nonnegative().max(5_000).default(20),
  /**
   * Changes SNS accepted that may wait to be marked at most. When the database falls this far behind,
   * new `PublishBatch` calls wait for it (backpressure) rather than holding more in memory.
   * @defaultValue 100000
   */
  maxPendingMarks: z.number().int().positive().default(100_000),
});

/** Options for {@link createPublisher}; only `topicPrefix` is required. */
export type PublisherOptions = z.input<typeof publisherOptionsSchema>;
export type ResolvedPublisherOptions = z.output<typeof publisherOptionsSchema>;

/** `fast`: right after the commit; `sweep`: re-sent by the sweeper. Only labels metrics and logs. */
export type PublishPath = 'fast' | 'sweep';

/** What became of the changes handed to {@link Publisher.publish}. */
export interface PublishResult {
  /**
   * Change numbers SNS accepted. They are marked published within about `markIntervalMs` after this
   * resolves ({@link Publisher.flushMarks} waits for it); a mark that fails is logged, and the sweeper
   * sends the change again.
   */
  published: string[];
  /** Change numbers not accepted; they stay unpublished and the sweeper sends them later. */
  failed: string[];
}

/** Sends recorded changes to their topics and marks them published. Never throws for SNS trouble. */
export interface Publisher {
  /**
   * Publishes committed changes. Calls made while earlier ones are in flight share `PublishBatch`
   * calls. Resolves when SNS accepted every change or it was given up on, without waiting for the
   * "mark published" statement; never rejects.
   */
  publish(changes: readonly RecordedChange[], path?: PublishPath): Promise<PublishResult>;
  /** The ARN of an object type's topic, created (idempotently) and cached on first use. */
  topicArn(objectType: string): Promise<string>;
  /** Resolves once every change accepted so far was marked published (or its mark failed). */
  flushMarks(): Promise<void>;
  /** Resolves when nothing is waiting, in flight or waiting to be marked. */
  flush(): Promise<void>;
}

/** What a publisher needs from its caller. */
export interface PublisherDependencies {
  db: Kysely<OutboxDatabase>;
  sns: SNSClient;
  logger: Logger;
  metrics: OutboxMetrics;
}

interface PendingPublish {
  changes: readonly RecordedChange[];
  path: PublishPath;
  resolve: (result: PublishResult) => void;
}

/**
 * Creates the publisher used by the fast path and the sweeper.
 *
 * Changes are grouped by object type; each group is packed into as few SNS messages as the size and
 * count limits allow, and up to 10 messages go in one `PublishBatch`. A change is marked published only
 * after SNS accepted the entry that carried it (G3: a change SNS did not take stays for the sweeper),
 * and marks are grouped off the publishing path (see {@link createMarkQueue}).
 */
export function createPublisher(deps: PublisherDependencies, options: PublisherOptions): Publisher {
  const resolved = parseOptions(publisherOptionsSchema, options, 'publisher options');
  return new BatchingPublisher(deps, resolved);
}

class BatchingPublisher implements Publisher {
  readonly #deps: PublisherDependencies;
  readonly #options: ResolvedPublisherOptions;
  readonly #log: Logger;
  readonly #topicArns = new Map<string, Promise<string>>();
  readonly #attributeBytes: number;
  #pending: PendingPublish[] = [];
  #inFlight = 0;
  #scheduled = false;
  /** When the last call that was not full went out; the next one lingers until `lingerMs` after it. */
  #lastPartialSendAt = Number.NEGATIVE_INFINITY;
  /** Publishes (transactions) that call carried: more than one means load, and lingering pays. */
  #lastPartialPublishes = 0;
  #lingerTimer: NodeJS.Timeout | undefined;
  #idleWaiters: Array<() => void> = [];
  readonly #marks: MarkQueue;

  constructor(deps: PublisherDependencies, options: ResolvedPublisherOptions) {
    this.#deps = deps;
    this.#options = options;
    this.#log = deps.logger.child({ component: 'outbox-publisher' });
    // The attribute names and types, plus the longest values they can take.
    this.#attributeBytes = 'objectType'.length + 'String'.length + 63 + 'changeCount'.length + 'Number'.length + 5;
    this.#marks = createMarkQueue(
      { db: deps.db, logger: deps.logger, metrics: deps.metrics, onProgress: () => this.#pump() },
      { intervalMs: options.markIntervalMs },
    );
  }

  publish(changes: readonly RecordedChange[], path: PublishPath = 'fast'): Promise<PublishResult> {
    if (changes.length === 0) return Promise.resolve({ published: [], failed: [] });
    return new Promise((resolve) => {
      this.#pending.push({ changes, path, resolve });
      // Let every transaction that commits in this tick join the same batch.
      if (!this.#scheduled) {
        this.#scheduled = true;
        queueMicrotask(() => {
          this.#scheduled = false;
          this.#pump();
        });
      }
    });
  }

  topicArn(objectType: string): Promise<string> {
    let arn = this.#topicArns.get(objectType);
    if (arn === undefined) {
      const name = topicName(this.#options.topicPrefix, objectType);
      arn = this.#deps.sns.send(new CreateTopicCommand({ Name: name })).then((answer) => {
        if (!answer.TopicArn) throw new Error(`CreateTopic ${name} answered without a TopicArn`);
        return answer.TopicArn;
      });
      // A failed lookup is not cached: the next publish asks again.
      arn.catch(() => this.#topicArns.delete(objectType));
      this.#topicArns.set(objectType, arn);
    }
    return arn;
  }

  flushMarks(): Promise<void> {
    return this.#marks.flush();
  }

  async flush(): Promise<void> {
    if (this.#pending.length > 0 || this.#inFlight > 0 || this.#scheduled || this.#lingerTimer) {
      await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
    }
    await this.#marks.flush();
  }

  #pump(): void {
    while (
      this.#inFlight < this.#options.maxConcurrentRequests &&
      this.#pending.length > 0 &&
      // Backpressure: the database is this far behind SNS; publish more once it catches up.
      this.#marks.pending < this.#options.maxPendingMarks
    ) {
      // Group commit: while a request is in flight, a small remainder waits for it and rides the
      // next one with whatever else arrives meanwhile; only a full request's worth goes at once.
      // Latency stays about one round trip; the number of calls falls as the load rises.
      const full = this.#pendingChanges() >= this.#options.maxChangesPerMessage * 10;
      if (this.#inFlight > 0 && !full) break;
      // Linger, under load only: a call that is not full waits until `lingerMs` after the previous one,
      // gathering more. One transaction at a time (a quiet service) goes at once.
      const lingerUntil = this.#lastPartialSendAt + this.#options.lingerMs;
      const underLoad = this.#pending.length > 1 || this.#lastPartialPublishes > 1;
      if (!full && underLoad && performance.now() < lingerUntil) {
        this.#lingerTimer ??= setTimeout(
          () => {
            this.#lingerTimer = undefined;
            this.#pump();
          },
          Math.ceil(lingerUntil - performance.now()),
        );
        break;
      }
      const items = this.#takeRequestWorth();
      if (!full) {
        this.#lastPartialSendAt = performance.now();
        this.#lastPartialPublishes = items.length;
      }
      this.#inFlight += 1;
      void this.#send(items).finally(() => {
        this.#inFlight -= 1;
        this.#pump();
        if (this.#inFlight === 0 && this.#pending.length === 0) {
          for (const wake of this.#idleWaiters.splice(0)) wake();
        }
      });
    }
  }

  #pendingChanges(): number {
    return this.#pending.reduce((sum, item) => sum + item.changes.length, 0);
  }

  /** Takes waiting publishes until they fill about one `PublishBatch` (at least one publish). */
  #takeRequestWorth(): PendingPublish[] {
    const budget = this.#options.maxChangesPerMessage * 10;
    let taken = 0;
    let count = 0;
    while (
      taken < this.#pending.length &&
      (taken === 0 || count + (this.#pending[taken]?.changes.length ?? 0) <= budget)
    ) {
      count += this.#pending[taken]?.changes.length ?? 0;
      taken += 1;
    }
    return this.#pending.splice(0, taken);
  }

  async #send(items: PendingPublish[]): Promise<void> {
    const accepted = new Set<string>();
    try {
      const byType = new Map<string, RecordedChange[]>();
      for (const item of items) {
        for (const change of item.changes) {
          const group = byType.get(change.objectType) ?? [];
          group.push(change);
          byType.set(change.objectType, group);
        }
      }
      await Promise.all([...byType].map(([objectType, changes]) => this.#sendType(objectType, changes, accepted)));
      // The slot is free once SNS answered: waiting for the stamp here would put the database's
      // latency, and the wait for a connection of a pool shared with the writers, in every publish.
      this.#marks.add([...accepted]);
    } catch (err) {
      // Nothing above should throw; if it does, the changes stay unpublished for the sweeper.
      this.#log.error({ err: toError(err) }, 'publish failed unexpectedly; the sweeper will re-send');
    }
    for (const item of items) {
      const result: PublishResult = { published: [], failed: [] };
      for (const change of item.changes) {
        (accepted.has(change.changeNumber) ? result.published : result.failed).push(change.changeNumber);
      }
      this.#deps.metrics.changesPublished.inc({ path: item.path }, result.published.length);
      item.resolve(result);
    }
  }

  async #sendType(objectType: string, changes: RecordedChange[], accepted: Set<string>): Promise<void> {
    let arn: string;
    try {
      arn = await this.topicArn(objectType);
    } catch (err) {
      this.#fail(changes.length, 'topic', err, { objectType });
      return;
    }
    const messages = packMessages(changes, {
      maxChangesPerMessage: this.#options.maxChangesPerMessage,
      maxMessageBytes: this.#options.maxMessageBytes,
      attributeBytes: this.#attributeBytes,
    });
    for (const batch of packBatches(messages, this.#options.maxBatchBytes)) {
      for (const changeNumber of await this.#publishBatch(arn, objectType, batch)) accepted.add(changeNumber);
    }
  }

  /** One `PublishBatch`, re-sending the entries SNS rejected with a retryable fault. Returns accepted change numbers. */
  async #publishBatch(topicArn: string, objectType: string, batch: PackedMessage[]): Promise<string[]> {
    const accepted: string[] = [];
    let remaining = batch.map((message, index) => ({ id: String(index), message }));
    for (let attempt = 1; remaining.length > 0; attempt += 1) {
      const started = performance.now();
      let answer: PublishBatchCommandOutput;
      try {
        answer = await this.#deps.sns.send(
          new PublishBatchCommand({
            TopicArn: topicArn,
            PublishBatchRequestEntries: remaining.map(({ id, message }) => this.#entry(id, objectType, message)),
          }),
        );
      } catch (err) {
        // The SDK already retried the call; SNS is unreachable or refused it whole.
        this.#fail(countChanges(remaining), 'request', err, { objectType, attempt });
        return accepted;
      } finally {
        this.#deps.metrics.publishDuration.observe((performance.now() - started) / 1000);
      }
      const byId = new Map(remaining.map((entry) => [entry.id, entry]));
      for (const ok of answer.Successful ?? []) {
        const entry = ok.Id === undefined ? undefined : byId.get(ok.Id);
        if (entry) accepted.push(...entry.message.changeNumbers);
      }
      const retry: typeof remaining = [];
      for (const failure of answer.Failed ?? []) {
        const entry = failure.Id === undefined ? undefined : byId.get(failure.Id);
        if (!entry) continue;
        if (failure.SenderFault || attempt >= this.#options.maxEntryAttempts) {
          this.#fail(
            entry.message.changeNumbers.length,
            failure.Code ?? 'entry',
            new Error(failure.Message ?? failure.Code),
            {
              objectType,
              attempt,
              senderFault: failure.SenderFault,
            },
          );
        } else {
          retry.push(entry);
        }
      }
      remaining = retry;
      if (remaining.length > 0)
        await sleep(jitteredBackoff(attempt, this.#options.retryBaseDelayMs, { jitter: 'full' }));
    }
    return accepted;
  }

  #entry(id: string, objectType: string, message: PackedMessage): PublishBatchRequestEntry {
    const attributes: Record<string, MessageAttributeValue> = {
      objectType: { DataType: 'String', StringValue: objectType },
      changeCount: { DataType: 'Number', StringValue: String(message.changeNumbers.length) },
    };
    return { Id: id, Message: message.body, MessageAttributes: attributes };
  }

  #fail(changes: number, reason: string, err: unknown, fields: Record<string, unknown>): void {
    this.#deps.metrics.publishFailures.inc({ reason }, changes);
    this.#log.warn(
      { ...fields, changes, reason, err: toError(err) },
      'changes not published; the sweeper will re-send them',
    );
  }
}

function countChanges(entries: readonly { message: PackedMessage }[]): number {
  return entries.reduce((sum, entry) => sum + entry.message.changeNumbers.length, 0);
}
