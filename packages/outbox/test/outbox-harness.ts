import type { SNSClient } from '@aws-sdk/client-sns';
import {
  createSubscribedQueue,
  type SubscribedQueue,
  type TestDatabase,
  testAwsClients,
  uniquePrefix,
  waitFor,
  withManyConnections,
} from '@changeflow/test-support';
import { Kysely, PostgresDialect } from 'kysely';
import type { Logger } from 'pino';
import {
  createOutbox,
  decodeChangeMessageBody,
  type Outbox,
  type OutboxDatabase,
  type PublisherOptions,
} from '../src/index.js';

/** Every change number in the messages a queue received so far. */
export class ReceivedChanges {
  readonly numbers = new Set<string>();
  readonly objectIds = new Set<string>();
  /** How many times each change number arrived. */
  readonly timesReceived = new Map<string, number>();
  deliveries = 0;

  constructor(private readonly queue: SubscribedQueue) {}

  /** One receive; returns how many changes it brought. */
  async receiveOnce(waitTimeSeconds = 1): Promise<number> {
    let count = 0;
    for (const message of await this.queue.receive(waitTimeSeconds)) {
      for (const change of decodeChangeMessageBody(message.Body ?? '').changes) {
        this.numbers.add(change.changeNumber);
        this.timesReceived.set(change.changeNumber, (this.timesReceived.get(change.changeNumber) ?? 0) + 1);
        this.objectIds.add(change.objectId);
        this.deliveries += 1;
        count += 1;
      }
    }
    return count;
  }

  /** Receives until every one of `expected` arrived (at least `times` times each). */
  async waitForAll(expected: Iterable<string>, timeoutMs = 15_000, times = 1): Promise<void> {
    const wanted = [...expected];
    await waitFor(
      async () => {
        await this.receiveOnce(1);
        return wanted.every((number) => (this.timesReceived.get(number) ?? 0) >= times);
      },
      { timeoutMs, intervalMs: 0, description: `${wanted.length} change numbers on the queue, ${times} times each` },
    );
  }
}

/** An outbox on `sns` with its own topic prefix, and a queue subscribed to the `trainee` topic. */
export async function outboxWithQueue(
  db: Kysely<OutboxDatabase>,
  options: {
    sns?: SNSClient;
    objectType?: string;
    publisher?: Omit<PublisherOptions, 'topicPrefix'>;
    logger?: Logger;
  } = {},
): Promise<{ outbox: Outbox<OutboxDatabase>; received: ReceivedChanges; topicPrefix: string; close(): Promise<void> }> {
  const aws = testAwsClients();
  const topicPrefix = uniquePrefix('outbox');
  const outbox = createOutbox(
    { db, sns: options.sns ?? aws.sns, logger: options.logger },
    { ...options.publisher, topicPrefix },
  );
  // The topic is created through the test's own clients: the outbox's endpoint may be down.
  const local = createOutbox({ db, sns: aws.sns }, { topicPrefix });
  const topicArn = await local.publisher.topicArn(options.objectType ?? 'trainee');
  const queue = await createSubscribedQueue(aws, `${topicPrefix}-watch`, [topicArn]);
  return {
    outbox,
    received: new ReceivedChanges(queue),
    topicPrefix,
    async close() {
      await outbox.flush();
      await queue.delete();
      aws.destroy();
    },
  };
}

/**
 * Runs `work` with an outbox of its own on a pool of `writers` connections, so each concurrent
 * writer has one and their commits interleave, publishing under `topicPrefix`. In a turn of
 * `withManyConnections`; flushes the outbox and closes the pool after.
 */
export function withConcurrentWriters<DB extends OutboxDatabase>(
  testDb: Pick<TestDatabase<unknown>, 'createPool'>,
  topicPrefix: string,
  writers: number,
  work: (outbox: Outbox<DB>, db: Kysely<DB>) => Promise<void>,
): Promise<void> {
  return withManyConnections(async () => {
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: testDb.createPool(writers) }) });
    const aws = testAwsClients();
    const outbox = createOutbox({ db, sns: aws.sns }, { topicPrefix });
    try {
      await work(outbox, db);
    } finally {
      await outbox.flush();
      await db.destroy();
      aws.destroy();
    }
  });
}
