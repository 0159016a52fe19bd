import { CreateTopicCommand } from '@aws-sdk/client-sns';
import { decodeChangeMessageBody, topicName } from '@changeflow/outbox';
import { REVAL_OBJECT_TYPES } from '@changeflow/reval';
import { createSubscribedQueue, type SubscribedQueue } from '@changeflow/test-support/queues';
import type { Cluster } from '../support/cluster.js';

/** Receive loops of the audit queue: enough to keep up with every publish of the soak. */
const RECEIVERS = 3;

/**
 * An independent witness of what was published: a queue of the soak's own, subscribed to every
 * reval topic on the emulator directly (never through the outage proxy), whose messages are drained
 * as they come. At the end, every change in the change log must have been seen here at least once
 * (G3) — a check that does not trust the outbox's own `published_at`.
 */
export interface PublishAudit {
  /** Distinct change numbers seen so far. */
  readonly seen: ReadonlySet<string>;
  /** Messages received in all (a message carries one or more changes; duplicates count). */
  readonly messages: number;
  /** Bodies that were not change messages. */
  readonly malformed: number;
  /** Drains what is left until two receives in a row come back empty, then stops the receive loops. */
  finish(): Promise<void>;
  /** Deletes the audit queue. */
  delete(): Promise<void>;
}

export async function startPublishAudit(cluster: Cluster): Promise<PublishAudit> {
  const topicArns: string[] = [];
  for (const objectType of Object.values(REVAL_OBJECT_TYPES)) {
    // CreateTopic is idempotent: it answers the ARN of the topic the workers provisioned.
    const { TopicArn } = await cluster.directAws.sns.send(
      new CreateTopicCommand({ Name: topicName(cluster.prefix, objectType) }),
    );
    if (TopicArn) topicArns.push(TopicArn);
  }
  const queue: SubscribedQueue = await createSubscribedQueue(
    cluster.directAws,
    `${cluster.prefix}-soak-audit`,
    topicArns,
  );
  const seen = new Set<string>();
  let messages = 0;
  let malformed = 0;
  let draining = false;
  let stopped = false;

  const receiver = async () => {
    let emptyInARow = 0;
    while (!stopped) {
      const received = await queue.receive(draining ? 1 : 5).catch(() => []);
      if (received.length === 0) {
        emptyInARow += 1;
        if (draining && emptyInARow >= 2) return;
        continue;
      }
      emptyInARow = 0;
      for (const message of received) {
        messages += 1;
        try {
          for (const change of decodeChangeMessageBody(message.Body ?? '').changes) seen.add(change.changeNumber);
        } catch {
          malformed += 1;
        }
      }
    }
  };
  const receivers = Array.from({ length: RECEIVERS }, receiver);

  return {
    seen,
    get messages() {
      return messages;
    },
    get malformed() {
      return malformed;
    },
    async finish() {
      draining = true;
      await Promise.all(receivers);
      stopped = true;
    },
    async delete() {
      stopped = true;
      await queue.delete().catch(() => {});
    },
  };
}
