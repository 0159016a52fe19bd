import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import {
  type ConsumerDatabase,
  createWorkerRuntime,
  defineWorker,
  FatalError,
  migrateConsumer,
  type ProvisionedWorker,
  provision,
} from '@changeflow/consumer';
import { createSemaphore } from '@changeflow/semaphore';
import { testAwsClients, uniquePrefix, useTestDatabase, waitFor } from '@changeflow/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import type { DlqListResult, DlqReplayResult, DlqShowResult } from '../src/index.js';
import { change, cliEnv, deadLetter, drainQueue, messagesIn, runInProcess } from './cli-harness.js';

const testDb = useTestDatabase<ConsumerDatabase>('cli_dlq', migrateConsumer);
const aws = testAwsClients();
afterAll(() => aws.destroy());

let tests = 0;

/**
 * A provisioned topology of its own for one test: workers `alpha-<n>` and `beta-<n>` (the rows of
 * `failed_messages` are per worker, so each test sees only its own), and a CLI that knows them.
 */
async function setUp(): Promise<{
  env: NodeJS.ProcessEnv;
  worker: ProvisionedWorker;
  name: string;
  cli(args: string[]): ReturnType<typeof runInProcess>;
}> {
  tests += 1;
  const alpha = defineWorker({ name: `alpha-${tests}`, subscribesTo: ['trainee'], handle: async () => {} });
  const beta = defineWorker({ name: `beta-${tests}`, subscribesTo: ['gmc-doctor'], handle: async () => {} });
  const prefix = uniquePrefix('cli-dlq');
  const [worker] = await provision(aws, [alpha, beta], prefix);
  if (!worker) throw new Error('provision returned no worker');
  const env = cliEnv(testDb().url, prefix);
  return { env, worker, name: alpha.name, cli: (args) => runInProcess(args, env, { workers: () => [alpha, beta] }) };
}

async function deadLetteredFlags(worker: string): Promise<Map<string, boolean>> {
  const rows = await testDb()
    .db.selectFrom('failed_messages')
    .select(['message_id', 'dead_lettered'])
    .where('worker', '=', worker)
    .execute();
  return new Map(rows.map((row) => [row.message_id, row.dead_lettered]));
}

describe('changeflow dlq list', () => {
  it('lists dead letters with change numbers, object, reason, attempts and failure times, beside the DLQ depth', async () => {
    const { worker, name, cli } = await setUp();
    const first = await deadLetter(aws.sqs, testDb().db, worker, {
      changes: [change('101', 'T-1'), change('102', 'T-2')],
      reason: 'FatalError: trainee T-1 has no GMC number',
    });
    await deadLetter(aws.sqs, testDb().db, worker, { changes: [change('103', 'T-3')], reason: 'Error: timeout' });

    const run = await cli(['dlq', 'list', name, '--json']);
    expect(run.code).toBe(0);
    const result = run.json<DlqListResult>();
    expect(result.total).toBe(2);
    expect(result.deadLetterQueueDepth?.visible).toBe(2);
    const row = result.messages.find((message) => message.messageId === first.originalMessageId);
    expect(row).toMatchObject({
      changeNumbers: ['101', '102'],
      objectType: 'trainee',
      objectIds: ['T-1', 'T-2'],
      error: 'FatalError: trainee T-1 has no GMC number',
      attempts: 5,
      deadLettered: true,
    });
    expect(Date.parse(String(row?.firstFailedAt))).not.toBeNaN();
    expect(Date.parse(String(row?.lastFailedAt))).not.toBeNaN();

    const text = await cli(['dlq', 'list', name]);
    expect(text.stdout).toContain('2 dead-lettered message(s) recorded');
    expect(text.stdout).toContain(first.originalMessageId);
    expect(text.stdout).toContain('FatalError: trainee T-1 has no GMC number');
    expect(text.stdout).toMatch(/MESSAGE ID\s+CHANGES\s+OBJECT\s+ATTEMPTS\s+FIRST FAILED\s+LAST FAILED\s+REASON/);
  });

  it('exits 2 for an unknown worker, naming the workers there are', async () => {
    const { name, cli } = await setUp();
    const run = await cli(['dlq', 'list', 'gamma']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`unknown worker "gamma": the workers are ${name}, ${name.replace('alpha', 'beta')}`);
  });
});

describe('changeflow dlq show', () => {
  it("shows the failed_messages row and the DLQ message's attributes and body, and leaves the message visible", async () => {
    const { worker, name, cli } = await setUp();
    const letter = await deadLetter(aws.sqs, testDb().db, worker, {
      changes: [change('201', 'T-9')],
      reason: 'FatalError: bad designated body',
    });
    await deadLetter(aws.sqs, testDb().db, worker, { changes: [change('202', 'T-8')], reason: 'other' });

    const byOriginal = (await cli(['dlq', 'show', name, letter.originalMessageId, '--json'])).json<DlqShowResult>();
    expect(byOriginal.failure?.changeNumbers).toEqual(['201']);
    expect(byOriginal.deadLetter).toMatchObject({
      messageId: letter.dlqMessageId,
      originalMessageId: letter.originalMessageId,
      reason: 'FatalError: bad designated body',
      attributes: { 'changeflow-worker': name, 'changeflow-attempts': '5' },
      body: { changes: [{ changeNumber: '201', objectId: 'T-9' }] },
    });

    // The id the message has in the DLQ finds the same row, through its source-message-id attribute.
    const byDlqId = (await cli(['dlq', 'show', name, letter.dlqMessageId, '--json'])).json<DlqShowResult>();
    expect(byDlqId.failure?.messageId).toBe(letter.originalMessageId);

    // Searching handed every message back: both are visible at once.
    const received = await aws.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: worker.deadLetterQueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
    );
    expect(received.Messages).toHaveLength(2);

    const text = await cli(['dlq', 'show', name, letter.originalMessageId]);
    expect(text.stdout).toContain('reason         FatalError: bad designated body');
    expect(text.stdout).toContain('In the DLQ');
  });

  it('exits 2 when neither a row nor a DLQ message has the id', async () => {
    const { name, cli } = await setUp();
    const run = await cli(['dlq', 'show', name, 'no-such-id']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no failure recorded and no message in');
    expect(run.stderr).toContain(`changeflow dlq list ${name}`);
  });
});

describe('changeflow dlq replay', () => {
  it('moves only the --id message; the others are made visible again and never deleted', async () => {
    const { worker, name, cli } = await setUp();
    const letters = [];
    for (const n of ['301', '302', '303']) {
      letters.push(await deadLetter(aws.sqs, testDb().db, worker, { changes: [change(n, `T-${n}`)], reason: 'boom' }));
    }
    const [target, ...others] = letters;
    if (!target) throw new Error('no letters');

    const run = await cli(['dlq', 'replay', name, '--id', target.originalMessageId, '--json']);
    expect(run.code).toBe(0);
    expect(run.json<DlqReplayResult>()).toMatchObject({ moved: 1, matched: 1, failed: 0, notFound: [] });

    const onQueue = await drainQueue(aws.sqs, worker.queueUrl);
    expect(onQueue).toHaveLength(1);
    expect(onQueue[0]?.Body).toContain('"301"');
    const attributes = onQueue[0]?.MessageAttributes ?? {};
    expect(attributes['changeflow-replayed-from']?.StringValue).toBe(target.originalMessageId);
    expect(attributes['changeflow-error']).toBeUndefined();
    expect(attributes.objectType?.StringValue).toBe('trainee');

    // The skipped ones are visible at once (visibility 0), still in the DLQ.
    const dlq = await aws.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: worker.deadLetterQueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
    );
    expect((dlq.Messages ?? []).map((m) => m.MessageId).sort()).toEqual(others.map((l) => l.dlqMessageId).sort());

    const flags = await deadLetteredFlags(name);
    expect(flags.get(target.originalMessageId)).toBe(false);
    for (const other of others) expect(flags.get(other.originalMessageId)).toBe(true);
    expect((await cli(['dlq', 'list', name, '--json'])).json<DlqListResult>().total).toBe(2);
  });

  it('moves by reason, case-insensitively, including a redriven message whose reason is only in failed_messages', async () => {
    const { worker, name, cli } = await setUp();
    await deadLetter(aws.sqs, testDb().db, worker, {
      changes: [change('401', 'A')],
      reason: 'Error: Timeout talking to GMC',
    });
    await deadLetter(aws.sqs, testDb().db, worker, { changes: [change('402', 'B')], reason: 'FatalError: bad number' });
    await deadLetter(aws.sqs, testDb().db, worker, {
      changes: [change('403', 'C')],
      reason: 'Error: timeout again',
      viaRedrive: true,
    });

    const run = await cli(['dlq', 'replay', name, '--reason', 'TIMEOUT', '--json']);
    expect(run.code).toBe(0);
    expect(run.json<DlqReplayResult>()).toMatchObject({ moved: 2, skipped: 1, duplicatesPossible: 0 });
    const bodies = (await drainQueue(aws.sqs, worker.queueUrl)).map((m) => m.Body ?? '');
    expect(bodies.some((body) => body.includes('"401"'))).toBe(true);
    expect(bodies.some((body) => body.includes('"403"'))).toBe(true);
    expect(await messagesIn(aws.sqs, worker.deadLetterQueueUrl)).toBe(1);
  });

  it('ends when a moved message fails again and comes back: it stays in the DLQ, counted as failedAgain', async () => {
    // The real worker runtime, whose handler refuses everything: each replayed message is
    // dead-lettered again at once, while the replay still runs. Before, --all moved it round forever.
    tests += 1;
    const failing = defineWorker({
      name: `failing-${tests}`,
      subscribesTo: ['trainee'],
      handle: async () => {
        throw new FatalError('still broken');
      },
    });
    const prefix = uniquePrefix('cli-dlq');
    const [worker] = await provision(aws, [failing], prefix);
    if (!worker) throw new Error('provision returned no worker');
    const runtime = createWorkerRuntime(
      { sqs: aws.sqs, sns: aws.sns, db: testDb().db, semaphore: createSemaphore(testDb().db) },
      [failing],
      { prefix, provision: false, drainTimeoutMs: 5000 },
    );
    await runtime.start();
    try {
      await deadLetter(aws.sqs, testDb().db, worker, { changes: [change('551', 'X')], reason: 'boom' });
      const cli = (args: string[]) => runInProcess(args, cliEnv(testDb().url, prefix), { workers: () => [failing] });
      const run = await cli(['dlq', 'replay', failing.name, '--all', '--json']);
      expect(run.code).toBe(0);
      const result = run.json<DlqReplayResult>();
      expect(result.moved).toBe(1);
      expect(result.failedAgain).toBeLessThanOrEqual(1);
      // Whether it came back before or after the replay's last look, it ends up in the DLQ once.
      await waitFor(async () => (await messagesIn(aws.sqs, worker.deadLetterQueueUrl)) === 1, {
        timeoutMs: 20_000,
        description: 'the message dead-lettered again',
      });
      expect(await messagesIn(aws.sqs, worker.queueUrl)).toBe(0);
    } finally {
      await runtime.stop();
    }
  });

  it('--dry-run counts what would move and moves nothing', async () => {
    const { worker, name, cli } = await setUp();
    for (const n of ['501', '502']) {
      await deadLetter(aws.sqs, testDb().db, worker, { changes: [change(n, n)], reason: 'boom' });
    }
    const run = await cli(['dlq', 'replay', name, '--all', '--dry-run', '--json']);
    expect(run.code).toBe(0);
    expect(run.json<DlqReplayResult>()).toMatchObject({ dryRun: true, matched: 2, moved: 0 });
    expect(await messagesIn(aws.sqs, worker.queueUrl)).toBe(0);
    const dlq = await aws.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: worker.deadLetterQueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
    );
    expect(dlq.Messages).toHaveLength(2);
  });

  it('exits 3 when an --id is not in the DLQ, after moving the ones that are', async () => {
    const { worker, name, cli } = await setUp();
    const letter = await deadLetter(aws.sqs, testDb().db, worker, { changes: [change('601', 'X')], reason: 'boom' });
    const run = await cli(['dlq', 'replay', name, '--id', letter.originalMessageId, 'missing-id', '--json']);
    expect(run.code).toBe(3);
    expect(run.json<DlqReplayResult>()).toMatchObject({ moved: 1, notFound: ['missing-id'] });
  });

  it('says what to choose when no selection is given (exit 2), and refuses --all with --id', async () => {
    const { name, cli } = await setUp();
    const none = await cli(['dlq', 'replay', name]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--all, --id <messageId…> or --reason <text>');
    const both = await cli(['dlq', 'replay', name, '--all', '--id', 'x']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("option '--all' cannot be used with option '--id <messageId...>'");
  });

  it('--method move-task on an endpoint without StartMessageMoveTask fails saying to use receive-send', async () => {
    const { worker, name, cli } = await setUp();
    await deadLetter(aws.sqs, testDb().db, worker, { changes: [change('701', 'X')], reason: 'boom' });
    const run = await cli(['dlq', 'replay', name, '--all', '--method', 'move-task']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('StartMessageMoveTask is not supported');
    expect(run.stderr).toContain('--method receive-send');
    expect(await messagesIn(aws.sqs, worker.deadLetterQueueUrl)).toBe(1);
  });

  it('says to provision the topology when the queues do not exist', async () => {
    const { name } = await setUp();
    const alpha = defineWorker({ name, subscribesTo: ['trainee'], handle: async () => {} });
    const env = cliEnv(testDb().url, uniquePrefix('cli-none'));
    const run = await runInProcess(['dlq', 'replay', name, '--all'], env, { workers: () => [alpha] });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('does not exist');
    expect(run.stderr).toContain('changeflow topology --apply');
  });
});

describe('changeflow dlq purge', () => {
  it('refuses without --yes and says how; with --yes empties the DLQ and forgets the dead-letter rows', async () => {
    const { worker, name, cli } = await setUp();
    for (const n of ['801', '802']) {
      await deadLetter(aws.sqs, testDb().db, worker, { changes: [change(n, n)], reason: 'boom' });
    }
    const refused = await cli(['dlq', 'purge', name]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`changeflow dlq purge ${name} --yes`);
    expect(await messagesIn(aws.sqs, worker.deadLetterQueueUrl)).toBe(2);

    const purged = await cli(['dlq', 'purge', name, '--yes', '--json']);
    expect(purged.code).toBe(0);
    expect(purged.json()).toMatchObject({ purgedApproximately: 2, recordsDeleted: 2 });
    expect(await messagesIn(aws.sqs, worker.deadLetterQueueUrl)).toBe(0);
    expect((await deadLetteredFlags(name)).size).toBe(0);
  });
});
