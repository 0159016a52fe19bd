import { setTimeout as sleep } from 'node:timers/promises';
import {
  ChangeMessageVisibilityBatchCommand,
  ListQueuesCommand,
  type Message,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import { queueDepth } from '@changeflow/aws';
import { decodeChangeMessageBody } from '@changeflow/outbox';
import { sql } from 'kysely';
import type { Cluster } from '../support/cluster.js';
import { progress } from '../support/progress.js';

/** Between two looks at the backlog while waiting for quiescence. */
const POLL_MS = 500;
/** Quiet looks in a row that make quiescence: SQS's counts are approximate, so one zero is not enough. */
const QUIET_LOOKS = 4;

/** What is still moving: the outbox backlog and each queue's messages. */
export interface Backlog {
  unpublishedChanges: number;
  /** Visible + in flight + delayed, per worker queue. */
  queued: Record<string, number>;
  /** Messages per dead-letter queue. */
  deadLettered: Record<string, number>;
}

/** The worker queues and DLQs of the cluster (the soak's own audit queue left out). */
async function clusterQueues(cluster: Cluster): Promise<{ queues: string[]; deadLetterQueues: string[] }> {
  const { QueueUrls = [] } = await cluster.directAws.sqs.send(
    new ListQueuesCommand({ QueueNamePrefix: cluster.prefix }),
  );
  const urls = QueueUrls.filter((url) => !url.endsWith('-soak-audit'));
  return {
    queues: urls.filter((url) => !url.endsWith('-dlq')),
    deadLetterQueues: urls.filter((url) => url.endsWith('-dlq')),
  };
}

async function depth(cluster: Cluster, url: string): Promise<number> {
  const { visible, inFlight, delayed } = await queueDepth(cluster.directAws.sqs, url);
  return visible + inFlight + delayed;
}

const nameOf = (url: string) => url.slice(url.lastIndexOf('/') + 1);

export async function readBacklog(cluster: Cluster): Promise<Backlog> {
  const { rows } = await sql<{ n: string }>`
    select count(*) as n from changes where published_at is null`.execute(cluster.database.db);
  const { queues, deadLetterQueues } = await clusterQueues(cluster);
  const backlog: Backlog = { unpublishedChanges: Number(rows[0]?.n ?? 0), queued: {}, deadLettered: {} };
  for (const url of queues) backlog.queued[nameOf(url)] = await depth(cluster, url);
  for (const url of deadLetterQueues) backlog.deadLettered[nameOf(url)] = await depth(cluster, url);
  return backlog;
}

const isQuiet = (backlog: Backlog) =>
  backlog.unpublishedChanges === 0 && Object.values(backlog.queued).every((count) => count === 0);

/**
 * Waits until nothing moves: no unpublished change and every worker queue empty (nothing visible, in
 * flight or delayed) for {@link QUIET_LOOKS} looks in a row. Messages a SIGKILLed worker held come
 * back only when their visibility timeout ends, and a poisoned change is retried with backoff until
 * SQS dead-letters it, so this can take a minute or more. Resolves with the final backlog, or with
 * `timedOut` and what was still moving.
 */
export async function waitForQuiescence(
  cluster: Cluster,
  timeoutMs: number,
): Promise<{ backlog: Backlog; timedOut: boolean; waitedMs: number }> {
  const started = performance.now();
  let quiet = 0;
  let backlog = await readBacklog(cluster);
  let lastProgress = 0;
  for (;;) {
    quiet = isQuiet(backlog) ? quiet + 1 : 0;
    if (quiet >= QUIET_LOOKS) return { backlog, timedOut: false, waitedMs: performance.now() - started };
    if (performance.now() - started >= timeoutMs) {
      return { backlog, timedOut: true, waitedMs: performance.now() - started };
    }
    if (performance.now() - lastProgress > 5_000) {
      lastProgress = performance.now();
      progress(`soak: waiting for quiescence: ${JSON.stringify(backlog)}`);
    }
    await sleep(POLL_MS);
    try {
      backlog = await readBacklog(cluster);
    } catch {
      // A look that failed proves nothing: the quiet looks start again from the next one.
      quiet = -1;
    }
  }
}

/** One message of a DLQ as the soak reads it. */
export interface DeadLetter {
  readonly queue: string;
  readonly messageId: string;
  readonly objects: string[];
  readonly changeNumbers: string[];
}

/**
 * Reads every message of every DLQ without removing it: receives with a visibility timeout until
 * nothing more comes, then makes them visible again at once for the replay.
 */
export async function peekDeadLetters(cluster: Cluster): Promise<DeadLetter[]> {
  const { deadLetterQueues } = await clusterQueues(cluster);
  const letters: DeadLetter[] = [];
  for (const url of deadLetterQueues) {
    const held: Message[] = [];
    for (let empty = 0; empty < 2; ) {
      const { Messages = [] } = await cluster.directAws.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          VisibilityTimeout: 60,
        }),
      );
      empty = Messages.length === 0 ? empty + 1 : 0;
      held.push(...Messages);
    }
    for (const message of held) {
      let objects = ['(not a change message)'];
      let changeNumbers: string[] = [];
      try {
        const { changes } = decodeChangeMessageBody(message.Body ?? '');
        objects = changes.map((change) => `${change.objectType}/${change.objectId}`);
        changeNumbers = changes.map((change) => change.changeNumber);
      } catch {
        // Reported as not a change message: a DLQ holding one fails the soak.
      }
      letters.push({ queue: nameOf(url), messageId: message.MessageId ?? '?', objects, changeNumbers });
    }
    for (let start = 0; start < held.length; start += 10) {
      await cluster.directAws.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: url,
          Entries: held.slice(start, start + 10).map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
            VisibilityTimeout: 0,
          })),
        }),
      );
    }
  }
  return letters;
}
