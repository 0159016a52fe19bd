import { GetQueueUrlCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { createAwsClients } from '@changeflow/aws';
import { createSemaphore } from '@changeflow/semaphore';
import { startTcpProxy, testAwsClients, uniquePrefix, useTestDatabase, waitFor } from '@changeflow/test-support';
import { pino } from 'pino';
import { describe, expect, inject, it } from 'vitest';
import {
  type ConsumerDatabase,
  createWorkerRuntime,
  defineWorker,
  type MessageProcessedEvent,
  migrateConsumer,
} from '../src/index.js';
import { changeMessage } from './runtime-harness.js';

const testDb = useTestDatabase<ConsumerDatabase>('frozen_sqs', migrateConsumer);

const worker = defineWorker({
  name: 'frozen',
  subscribesTo: ['trainee'],
  waitTimeSeconds: 1,
  async handle() {},
});

describe('an SQS endpoint that accepts connections and never answers (issue 16, item 1)', () => {
  it('fails the long poll at its time limit, logs the episode once, and resumes when it answers again', async () => {
    const lines: Array<{ msg: string; service?: string }> = [];
    const proxy = await startTcpProxy(inject('awsEndpoint'));
    // Per attempt longer than the 1 s long poll, as the defaults are for 20 s ones.
    const proxied = createAwsClients(
      { endpoint: proxy.endpoint, maxAttempts: 2, requestTimeoutMs: 2500, totalTimeoutMs: 5000 },
      { logger: pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) }) },
    );
    const direct = testAwsClients();
    const prefix = uniquePrefix('frozen');
    const db = testDb().db;
    const runtime = createWorkerRuntime(
      { sqs: proxied.sqs, sns: proxied.sns, db, semaphore: createSemaphore(db) },
      [worker],
      { prefix, provision: true, drainTimeoutMs: 1000 },
    );
    const events: MessageProcessedEvent[] = [];
    runtime.on('message:processed', (event) => events.push(event));
    try {
      await runtime.start();
      proxy.freeze();
      await waitFor(() => lines.some((line) => line.service === 'sqs' && line.msg.includes('does not answer')), {
        timeoutMs: 30_000,
        description: 'a receive to fail at its time limit',
      });
      proxy.thaw();
      const { QueueUrl } = await direct.sqs.send(new GetQueueUrlCommand({ QueueName: `${prefix}-frozen` }));
      await direct.sqs.send(
        new SendMessageCommand({
          QueueUrl,
          MessageBody: JSON.stringify({ changes: [changeMessage(1, 'after-thaw')] }),
        }),
      );
      // Without a time limit the poll on the frozen connection never returns, and this never comes.
      await waitFor(() => events.find((event) => event.outcome === 'done'), {
        timeoutMs: 30_000,
        description: 'the message sent after the thaw to be handled',
      });
      expect(lines.filter((line) => line.service === 'sqs' && line.msg.includes('does not answer'))).toHaveLength(1);
      expect(lines.filter((line) => line.service === 'sqs' && line.msg.includes('answers again'))).toHaveLength(1);
    } finally {
      await runtime.stop();
      proxied.destroy();
      direct.destroy();
      await proxy.close();
    }
  });
});
