import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CreateTopicCommand, PublishBatchCommand, type SNSClient } from '@aws-sdk/client-sns';
import { GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type AwsClients, queueDepth as readQueueDepth } from '@changeflow/aws';
import { defineWorker, migrateConsumer, provision, type WorkerDefinition, workerTopology } from '@changeflow/consumer';
import { type ChangeMessage, encodeChangeMessageBody, migrateOutbox, topicName } from '@changeflow/outbox';
import { SOURCE_NODE_ARGS, type TestDatabase, testChangeMessage, useTestDatabase } from '@changeflow/test-support';
import type { Kysely } from 'kysely';
import { afterEach, inject, type TestContext } from 'vitest';
import { createHandledTable, type TestTables, type TestWorkerSpec } from './fixtures/test-workers.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/worker-process.ts', import.meta.url));
const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
/**
 * Starting a process loads tsx, the SDK, Kysely and fastify: a few seconds, but over 30 s was seen
 * with four test files at once on 2 busy cores. Only a hang should hit it; the CLI tests allow 90 s.
 */
const START_TIMEOUT_MS = 90_000;
const STDERR_TAIL_CHARS = 8_000;

const running = new Set<ChildProcess>();

/**
 * Kills (SIGKILL) whatever a test left running. After a passing test that is a defect of the test,
 * so it fails; after a failing one it is only cleanup. Registered by each file through
 * {@link useWorkersTestDatabase}, not at module level: files share this module when vitest does not
 * isolate them, and a module-level hook would run for the first file only.
 */
async function killLeftoverWorkers(context: TestContext): Promise<void> {
  const leftovers = [...running].filter((child) => child.exitCode === null && child.signalCode === null);
  running.clear();
  for (const child of leftovers) {
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }
  if (leftovers.length > 0 && context.task.result?.state !== 'fail') {
    throw new Error(`the test left ${leftovers.length} workers process(es) running; stop them in the test`);
  }
}

/** A test file's schema, migrated, with the `handled` table the test workers write. */
export function useWorkersTestDatabase(label: string): () => TestDatabase<TestTables> {
  afterEach(killLeftoverWorkers);
  return useTestDatabase<TestTables>(label, async (db) => {
    await migrateOutbox(db);
    await migrateConsumer(db);
    await createHandledTable(db);
  });
}

/** The environment of a workers process for this test file: its schema, the local SNS/SQS, a free admin port. */
export function workerEnv(
  database: TestDatabase<TestTables>,
  prefix: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    DATABASE_URL: database.url,
    AWS_ENDPOINT_URL: inject('awsEndpoint'),
    CHANGEFLOW_PREFIX: prefix,
    CHANGEFLOW_PROVISION: 'false',
    ADMIN_PORT: '0',
    LOG_LEVEL: 'warn',
    // The file's schema is migrated once in beforeAll; start-stop.test.ts covers MIGRATE=true.
    MIGRATE: 'false',
    ...extra,
  };
}

/** A workers process started by a test. */
export interface WorkerProcess {
  readonly pid: number;
  readonly adminUrl: string;
  readonly child: ChildProcess;
  /** Resolves when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** What it wrote to stderr (its logs), the last 8000 characters. */
  stderr(): string;
  /** Resolves with the first stderr line containing `text`. */
  waitForLog(text: string, timeoutMs?: number): Promise<string>;
}

/** Starts the test-workers fixture with `specs` and waits for its ready line. */
export function startWorkerProcess(
  env: Record<string, string>,
  specs: readonly TestWorkerSpec[],
): Promise<WorkerProcess> {
  return spawnUntilLine(FIXTURE, [JSON.stringify(specs)], env, (line) => {
    const parsed = JSON.parse(line) as { pid: number; adminUrl: string };
    return parsed.adminUrl ? parsed : undefined;
  });
}

/** Starts `workers/src/main.ts` (the real command) and waits for its "workers running" log line. */
export function startMain(env: Record<string, string>): Promise<WorkerProcess> {
  return spawnUntilLine(MAIN, [], env, (line) => {
    const parsed = JSON.parse(line) as { pid?: number; adminUrl?: string; msg?: string };
    return parsed.msg?.startsWith('workers running') && parsed.adminUrl && parsed.pid
      ? { pid: parsed.pid, adminUrl: parsed.adminUrl }
      : undefined;
  });
}

/** Runs `node --conditions=@changeflow/source --import tsx <script> <args>` with `env` over this process's environment. */
export function spawnScript(script: string, args: readonly string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [...SOURCE_NODE_ARGS, script, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  return child;
}

export { MAIN as MAIN_SCRIPT };

async function spawnUntilLine(
  script: string,
  args: readonly string[],
  env: Record<string, string>,
  readyFrom: (line: string) => { pid: number; adminUrl: string } | undefined,
): Promise<WorkerProcess> {
  const child = spawnScript(script, args, env);
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  let stderr = '';
  const stderrWaiters = new Set<{ text: string; resolve: (line: string) => void }>();
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => {
    stderr = `${stderr}${line}\n`.slice(-STDERR_TAIL_CHARS);
    for (const waiter of stderrWaiters) {
      if (line.includes(waiter.text)) {
        stderrWaiters.delete(waiter);
        waiter.resolve(line);
      }
    }
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const ready = await new Promise<{ pid: number; adminUrl: string }>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${script} was not ready within ${START_TIMEOUT_MS} ms; stderr:\n${stderr}`)),
      START_TIMEOUT_MS,
    );
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${signal ?? code}) before it was ready; stderr:\n${stderr}`));
    });
    lines.on('line', (line) => {
      let found: { pid: number; adminUrl: string } | undefined;
      try {
        found = readyFrom(line);
      } catch {
        found = undefined;
      }
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    });
  });
  return {
    ...ready,
    child,
    exited,
    stderr: () => stderr,
    waitForLog: (text, timeoutMs = 10_000) =>
      new Promise<string>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no log line with "${text}" within ${timeoutMs} ms; stderr:\n${stderr}`)),
          timeoutMs,
        );
        stderrWaiters.add({
          text,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
      }),
  };
}

/** Provisions the specs' topology (topics, queues, DLQs, subscriptions) as the workers would. */
export async function provisionTestWorkers(
  aws: AwsClients,
  specs: readonly TestWorkerSpec[],
  prefix: string,
): Promise<void> {
  await provision(aws, specs.map(definitionOf), prefix);
}

/** The definition a spec describes, with a handler that does nothing: for its names and options only. */
function definitionOf(spec: TestWorkerSpec): WorkerDefinition {
  const { handlerMs: _handlerMs, ...options } = spec;
  return defineWorker({ ...options, handle: async () => {} });
}

/** The URL of a worker's queue, or of its DLQ. */
export async function queueUrlOf(
  sqs: SQSClient,
  prefix: string,
  worker: TestWorkerSpec | WorkerDefinition,
  queue: 'main' | 'dlq' = 'main',
): Promise<string> {
  const { handlerMs: _handlerMs, ...options } = worker as TestWorkerSpec;
  const names = workerTopology(
    'handle' in worker ? worker : defineWorker({ ...options, handle: async () => {} }),
    prefix,
  );
  const name = queue === 'dlq' ? names.deadLetterQueueName : names.queueName;
  const answer = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
  if (!answer.QueueUrl) throw new Error(`no queue ${name}`);
  return answer.QueueUrl;
}

/** Messages waiting (visible) and received but not deleted (in flight) in a queue. */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<{ visible: number; inFlight: number }> {
  const { visible, inFlight } = await readQueueDepth(sqs, queueUrl);
  return { visible, inFlight };
}

let nextChangeNumber = 1;

/** `count` changes of `objectType`, each with a change number unique in this test file. */
export function testChanges(objectType: string, count: number): ChangeMessage[] {
  return Array.from({ length: count }, () => {
    const changeNumber = String(nextChangeNumber++);
    return testChangeMessage({ changeNumber, objectType, objectId: `object-${changeNumber}`, userId: 'test' });
  });
}

/** Publishes each change as one SNS message on its object type's topic, ten per PublishBatch. */
export async function publishChanges(sns: SNSClient, prefix: string, changes: readonly ChangeMessage[]): Promise<void> {
  for (let start = 0; start < changes.length; start += 10) {
    const chunk = changes.slice(start, start + 10);
    const objectType = chunk[0]?.objectType ?? '';
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: topicName(prefix, objectType) }));
    const answer = await sns.send(
      new PublishBatchCommand({
        TopicArn,
        PublishBatchRequestEntries: chunk.map((change, index) => ({
          Id: String(index),
          Message: encodeChangeMessageBody({ changes: [change] }),
        })),
      }),
    );
    if ((answer.Failed ?? []).length > 0) throw new Error(`SNS refused: ${JSON.stringify(answer.Failed)}`);
  }
}

/** A handling interval from the `handled` table. */
export interface HandledRow {
  pid: number;
  attempt: number;
  message_id: string;
  change_numbers: string[];
  started_at: Date;
  finished_at: Date | null;
}

/** Every `handled` row of a worker, oldest first. */
export function handledRows(db: Kysely<TestTables>, worker: string): Promise<HandledRow[]> {
  return db
    .selectFrom('handled')
    .select(['pid', 'attempt', 'message_id', 'change_numbers', 'started_at', 'finished_at'])
    .where('worker', '=', worker)
    .orderBy('started_at')
    .execute();
}

/** Reads one sample of a metric from Prometheus text, e.g. `metricValue(text, 'x', { worker: 'w' })`. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[3] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((pair) => [pair[1], pair[2]]),
    );
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[4]);
  }
  return undefined;
}
