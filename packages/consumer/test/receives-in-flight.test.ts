import { GetQueueUrlCommand, type ReceiveMessageCommandInput, SendMessageCommand } from '@aws-sdk/client-sqs';
import { createSemaphore } from '@changeflow/semaphore';
import { testAwsClients, uniquePrefix, useTestDatabase, waitFor } from '@changeflow/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { type ConsumerDatabase, createWorkerRuntime, defineWorker, migrateConsumer } from '../src/index.js';
import { changeMessage } from './runtime-harness.js';

const testDb = useTestDatabase<ConsumerDatabase>('receives-in-flight', migrateConsumer);
const aws = testAwsClients();
afterAll(() => aws.destroy());

const CONCURRENCY = 3;

/** What the runtime asked of SQS and handled, observed on the real client and in the handler. */
const observed = {
  receives: 0,
  maxReceives: 0,
  /** Places the receives in flight asked for. */
  asked: 0,
  handlers: 0,
  maxHandlers: 0,
  /** Moments when in-flight handlers plus places asked exceeded `concurrency`. */
  overcommitted: 0,
  handled: new Set<string>(),
};
let release: () => void = () => {};
const released = new Promise<void>((resolve) => {
  release = resolve;
});

// Observes, never alters: every ReceiveMessage goes to the local SQS as sent.
aws.sqs.middlewareStack.add(
  (next, context) => async (args) => {
    if (context.commandName !== 'ReceiveMessageCommand') return next(args);
    const asked = (args.input as ReceiveMessageCommandInput).MaxNumberOfMessages ?? 1;
    observed.receives += 1;
    observed.asked += asked;
    observed.maxReceives = Math.max(observed.maxReceives, observed.receives);
    if (observed.asked + observed.handlers > CONCURRENCY) observed.overcommitted += 1;
    try {
      return await next(args);
    } finally {
      observed.receives -= 1;
      observed.asked -= asked;
    }
  },
  { step: 'initialize', name: 'observeReceives' },
);

const parallel = defineWorker({
  name: 'parallel',
  subscribesTo: ['trainee'],
  concurrency: CONCURRENCY,
  receivesInFlight: 3,
  waitTimeSeconds: 1,
  async handle(changes) {
    observed.handlers += 1;
    observed.maxHandlers = Math.max(observed.maxHandlers, observed.handlers);
    try {
      await released;
      for (const change of changes) observed.handled.add(change.objectId);
    } finally {
      observed.handlers -= 1;
    }
  },
});

describe('receives in flight', () => {
  it('keeps several receives in flight, each asking only for places of concurrency nobody holds', async () => {
    const { db } = testDb();
    const prefix = uniquePrefix('receives');
    const runtime = createWorkerRuntime(
      { sqs: aws.sqs, sns: aws.sns, db, semaphore: createSemaphore(db) },
      [parallel],
      {
        prefix,
        provision: true,
        drainTimeoutMs: 5000,
      },
    );
    try {
      await runtime.start();
      const queueUrl = (await aws.sqs.send(new GetQueueUrlCommand({ QueueName: `${prefix}-parallel` }))).QueueUrl ?? '';
      const send = (n: number) =>
        aws.sqs.send(
          new SendMessageCommand({
            QueueUrl: queueUrl,
            MessageBody: JSON.stringify({ changes: [changeMessage(n, `object-${n}`)] }),
          }),
        );
      // One message held by its handler keeps the run going; the free places are polled in parallel.
      await send(1);
      await waitFor(() => observed.handlers === 1, { timeoutMs: 20_000, description: 'the first handler started' });
      observed.maxReceives = 0;
      await waitFor(() => observed.maxReceives >= 2, {
        timeoutMs: 20_000,
        description: 'two receives in flight at once',
      });
      // More messages than places: the handlers fill `concurrency`, never more.
      for (let n = 2; n <= 7; n += 1) await send(n);
      await waitFor(() => observed.handlers === CONCURRENCY, {
        timeoutMs: 20_000,
        description: 'every place taken',
      });
      release();
      await waitFor(() => observed.handled.size === 7, { timeoutMs: 20_000, description: 'all seven handled' });
      expect(observed.maxHandlers).toBe(CONCURRENCY);
      expect(observed.overcommitted).toBe(0);
    } finally {
      release();
      await runtime.stop();
    }
  });
});
