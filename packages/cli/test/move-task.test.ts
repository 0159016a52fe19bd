import { SQSClient } from '@aws-sdk/client-sqs';
import { type ConsumerDatabase, defineWorker, migrateConsumer, recordFailure } from '@changeflow/consumer';
import { useTestDatabase } from '@changeflow/test-support';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { replayDeadLetters, silentProgress } from '../src/index.js';

const testDb = useTestDatabase<ConsumerDatabase>('cli_move_task', migrateConsumer);
const worker = defineWorker({ name: 'mover', subscribesTo: ['trainee'], handle: async () => {} });
const AWS_ENDPOINT = 'https://sqs.eu-west-2.amazonaws.com';

/**
 * An SQS client whose calls are answered by `respond` instead of AWS: StartMessageMoveTask exists only
 * on AWS itself (the local SNS/SQS lacks it), and these tests cannot reach AWS.
 */
function fakeAws(respond: (command: string, input: Record<string, unknown>) => unknown) {
  const calls: Array<{ command: string; input: Record<string, unknown> }> = [];
  const sqs = new SQSClient({ region: 'eu-west-2', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  sqs.middlewareStack.add(
    (_next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      calls.push({ command: context.commandName ?? '', input });
      return { output: respond(context.commandName ?? '', input) as never, response: {} };
    },
    { step: 'initialize', name: 'fake-aws' },
  );
  return { sqs, calls };
}

function baseAnswers(command: string, input: Record<string, unknown>): unknown {
  if (command === 'GetQueueUrlCommand') return { QueueUrl: `${AWS_ENDPOINT}/123/${String(input.QueueName)}` };
  if (command === 'GetQueueAttributesCommand') {
    const name = String(input.QueueUrl).split('/').pop();
    return {
      Attributes: {
        QueueArn: `arn:aws:sqs:eu-west-2:123:${name}`,
        ApproximateNumberOfMessages: '0',
        ApproximateNumberOfMessagesNotVisible: '0',
      },
    };
  }
  return undefined;
}

describe('dlq replay --all on AWS', () => {
  it('uses StartMessageMoveTask, follows it to the end, and clears the rows of the moved dead letters', async () => {
    await recordFailure(testDb().db, {
      worker: 'mover',
      messageId: 'm-1',
      changeNumbers: ['1'],
      objectType: 'trainee',
      objectIds: ['T-1'],
      error: 'boom',
      attempts: 5,
      deadLettered: true,
    });
    let polls = 0;
    const { sqs, calls } = fakeAws((command, input) => {
      if (command === 'StartMessageMoveTaskCommand') return { TaskHandle: 'task-1' };
      if (command === 'ListMessageMoveTasksCommand') {
        polls += 1;
        const isDone = polls >= 2;
        return {
          Results: [
            {
              TaskHandle: 'task-1',
              Status: isDone ? 'COMPLETED' : 'RUNNING',
              ApproximateNumberOfMessagesMoved: isDone ? 3 : 1,
              ApproximateNumberOfMessagesToMove: 3,
            },
          ],
        };
      }
      return baseAnswers(command, input);
    });
    const result = await replayDeadLetters(
      {
        db: testDb().db,
        databaseUrl: testDb().url,
        sqs: { sqs, endpoint: AWS_ENDPOINT },
        workers: [worker],
        prefix: 'prod',
        progress: silentProgress,
        logger: pino({ level: 'silent' }),
      },
      { worker: 'mover', selection: { all: true }, ratePerSecond: 50 },
    );
    expect(result).toMatchObject({ method: 'move-task', moved: 3, matched: 3, failed: 0, interrupted: false });
    const start = calls.find((call) => call.command === 'StartMessageMoveTaskCommand');
    expect(start?.input).toEqual({
      SourceArn: 'arn:aws:sqs:eu-west-2:123:prod-mover-dlq',
      DestinationArn: 'arn:aws:sqs:eu-west-2:123:prod-mover',
      MaxNumberOfMessagesPerSecond: 50,
    });
    const row = await testDb()
      .db.selectFrom('failed_messages')
      .selectAll()
      .where('message_id', '=', 'm-1')
      .executeTakeFirst();
    expect(row?.dead_lettered).toBe(false);
  });

  it('cancels the task when interrupted', async () => {
    const controller = new AbortController();
    const { sqs, calls } = fakeAws((command, input) => {
      if (command === 'StartMessageMoveTaskCommand') return { TaskHandle: 'task-2' };
      if (command === 'ListMessageMoveTasksCommand') {
        controller.abort();
        return { Results: [{ TaskHandle: 'task-2', Status: 'RUNNING', ApproximateNumberOfMessagesMoved: 1 }] };
      }
      if (command === 'CancelMessageMoveTaskCommand') return {};
      return baseAnswers(command, input);
    });
    const result = await replayDeadLetters(
      {
        db: testDb().db,
        databaseUrl: testDb().url,
        sqs: { sqs, endpoint: AWS_ENDPOINT },
        workers: [worker],
        prefix: 'prod',
        progress: silentProgress,
        logger: pino({ level: 'silent' }),
        signal: controller.signal,
      },
      { worker: 'mover', selection: { all: true } },
    );
    expect(result.interrupted).toBe(true);
    expect(calls.find((call) => call.command === 'CancelMessageMoveTaskCommand')?.input).toEqual({
      TaskHandle: 'task-2',
    });
  });

  it('falls back to receive and send when the endpoint does not support move tasks', async () => {
    const { sqs, calls } = fakeAws((command, input) => {
      if (command === 'StartMessageMoveTaskCommand') {
        throw Object.assign(new Error('Unknown action: StartMessageMoveTask'), { name: 'InvalidAction' });
      }
      if (command === 'ReceiveMessageCommand') return { Messages: [] };
      return baseAnswers(command, input);
    });
    const result = await replayDeadLetters(
      {
        db: testDb().db,
        databaseUrl: testDb().url,
        sqs: { sqs, endpoint: AWS_ENDPOINT },
        workers: [worker],
        prefix: 'prod',
        progress: silentProgress,
        logger: pino({ level: 'silent' }),
      },
      { worker: 'mover', selection: { all: true } },
    );
    expect(result).toMatchObject({ method: 'receive-send', moved: 0 });
    expect(calls.some((call) => call.command === 'ReceiveMessageCommand')).toBe(true);
  });
});
