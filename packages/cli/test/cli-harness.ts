import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import {
  DeleteMessageBatchCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { queueDepth } from '@changeflow/aws';
import { type ConsumerDatabase, type ProvisionedWorker, recordFailure } from '@changeflow/consumer';
import { type ChangeMessage, decodeChangeMessageBody, encodeChangeMessageBody } from '@changeflow/outbox';
import { SOURCE_NODE_ARGS, testChangeMessage } from '@changeflow/test-support';
import type { Kysely } from 'kysely';
import { inject } from 'vitest';
import { type CliIo, type ExitCode, runCli } from '../src/index.js';

const BIN = fileURLToPath(new URL('../src/bin/changeflow.ts', import.meta.url));

/** The environment a CLI run gets: this file's schema, the local SNS/SQS, a prefix of its own. */
export function cliEnv(databaseUrl: string, prefix: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    DATABASE_URL: databaseUrl,
    AWS_ENDPOINT_URL: inject('awsEndpoint'),
    AWS_REGION: 'us-east-1',
    CHANGEFLOW_PREFIX: prefix,
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

/** What one run of the CLI printed, and its exit code. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as one JSON document. */
  json<T = Record<string, unknown>>(): T;
}

function toRun(code: number, stdout: string, stderr: string): CliRun {
  return {
    code,
    stdout,
    stderr,
    json: <T>() => {
      try {
        return JSON.parse(stdout) as T;
      } catch (err) {
        throw new Error(`stdout is not one JSON document: ${stdout}\nstderr: ${stderr}`, { cause: err });
      }
    },
  };
}

/** Runs the CLI in this process (the same `runCli` the binary runs), capturing its output. */
export async function runInProcess(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  options: Pick<CliIo, 'workers' | 'signal'> = {},
): Promise<CliRun> {
  const stdout = collect();
  const stderr = collect();
  const code: ExitCode = await runCli(args, { env, stdout: stdout.stream, stderr: stderr.stream, ...options });
  return toRun(code, stdout.text(), stderr.text());
}

function collect(): { stream: PassThrough; text(): string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** Starts the real binary (`node --import tsx src/bin/changeflow.ts`), output piped. */
export function spawnCli(args: readonly string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [...SOURCE_NODE_ARGS, BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs the real binary to its end. */
export async function runBinary(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  const child = spawnCli(args, env);
  const { stdout, stderr, exit } = watchChild(child);
  const code = await exit;
  return toRun(code, stdout(), stderr());
}

/** The output of a child so far, and its exit code (`-1` when killed by a signal). */
export function watchChild(child: ChildProcess): { stdout(): string; stderr(): string; exit: Promise<number> } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
  const exit = once(child, 'close').then(([code]) => (typeof code === 'number' ? code : -1));
  return {
    stdout: () => Buffer.concat(out).toString('utf8'),
    stderr: () => Buffer.concat(err).toString('utf8'),
    exit,
  };
}

/** A change message of `objectType`/`objectId` with this change number. */
export function change(changeNumber: string, objectId: string, objectType = 'trainee'): ChangeMessage {
  return testChangeMessage({ changeNumber, objectId, objectType });
}

/** What {@link deadLetter} put in the DLQ. */
export interface SeededDeadLetter {
  /** The id the worker "first received" it under (keys `failed_messages`). */
  originalMessageId: string;
  /** Its id in the DLQ. */
  dlqMessageId: string;
  changes: ChangeMessage[];
  reason: string;
}

/**
 * Puts a dead letter where the worker runtime would: a message in the worker's DLQ with the runtime's
 * attributes, and the `failed_messages` row keyed by the original message id. `viaRedrive` plays SQS's
 * own redrive instead: the message keeps its id and carries no reason attributes.
 */
export async function deadLetter(
  sqs: SQSClient,
  db: Kysely<ConsumerDatabase>,
  worker: ProvisionedWorker,
  options: { changes: ChangeMessage[]; reason: string; originalMessageId?: string; viaRedrive?: boolean },
): Promise<SeededDeadLetter> {
  const originalMessageId =
    options.originalMessageId ??
    `orig-${options.changes[0]?.changeNumber ?? 'x'}-${Math.random().toString(36).slice(2, 8)}`;
  const attributes: Record<string, MessageAttributeValue> = {
    objectType: { DataType: 'String', StringValue: options.changes[0]?.objectType ?? 'trainee' },
    changeCount: { DataType: 'Number', StringValue: String(options.changes.length) },
  };
  if (!options.viaRedrive) {
    attributes['changeflow-error'] = { DataType: 'String', StringValue: options.reason };
    attributes['changeflow-worker'] = { DataType: 'String', StringValue: worker.worker };
    attributes['changeflow-attempts'] = { DataType: 'Number', StringValue: '5' };
    attributes['changeflow-source-message-id'] = { DataType: 'String', StringValue: originalMessageId };
  }
  const sent = await sqs.send(
    new SendMessageCommand({
      QueueUrl: worker.deadLetterQueueUrl,
      MessageBody: encodeChangeMessageBody({ changes: options.changes }),
      MessageAttributes: attributes,
    }),
  );
  const dlqMessageId = sent.MessageId ?? '';
  await recordFailure(db, {
    worker: worker.worker,
    messageId: options.viaRedrive ? dlqMessageId : originalMessageId,
    changeNumbers: options.changes.map((c) => c.changeNumber),
    objectType: options.changes[0]?.objectType ?? null,
    objectIds: [...new Set(options.changes.map((c) => c.objectId))],
    error: options.reason,
    attempts: 5,
    deadLettered: true,
  });
  return {
    originalMessageId: options.viaRedrive ? dlqMessageId : originalMessageId,
    dlqMessageId,
    changes: options.changes,
    reason: options.reason,
  };
}

/** Receives (and deletes) everything in a queue until a receive comes back empty. */
export async function drainQueue(sqs: SQSClient, queueUrl: string): Promise<Message[]> {
  const messages: Message[] = [];
  for (;;) {
    const answer = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
      }),
    );
    const batch = answer.Messages ?? [];
    if (batch.length === 0) return messages;
    messages.push(...batch);
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: batch.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
      }),
    );
  }
}

/** SQS's approximate counts of a queue (visible + in flight). */
export async function messagesIn(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { visible, inFlight } = await queueDepth(sqs, queueUrl);
  return visible + inFlight;
}

/** Change numbers in the bodies of these messages, one entry per delivery. */
export function changeNumbersIn(messages: readonly Message[]): string[] {
  return messages.flatMap((message) => decodeChangeMessageBody(message.Body ?? '').changes.map((c) => c.changeNumber));
}
