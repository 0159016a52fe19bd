import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { type ConsumerDatabase, migrateConsumer, provision } from '@changeflow/consumer';
import { encodeChangeMessageBody } from '@changeflow/outbox';
import { REVAL_WORKERS } from '@changeflow/reval';
import { testAwsClients, uniquePrefix, useTestDatabase, waitFor } from '@changeflow/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import type { DlqReplayResult } from '../src/index.js';
import {
  change,
  changeNumbersIn,
  cliEnv,
  deadLetter,
  drainQueue,
  messagesIn,
  runBinary,
  spawnCli,
  watchChild,
} from './cli-harness.js';

const testDb = useTestDatabase<ConsumerDatabase>('cli_replay_killed', migrateConsumer);
const aws = testAwsClients();
afterAll(() => aws.destroy());

async function provisioned(label: string) {
  const prefix = uniquePrefix(label);
  const [worker] = await provision(aws, REVAL_WORKERS, prefix);
  if (!worker) throw new Error('no worker provisioned');
  return { prefix, worker, env: cliEnv(testDb().url, prefix) };
}

describe('dlq replay, killed and run again', () => {
  it('delivers every dead letter after a SIGKILL midway and a rerun; duplicates are counted, none is lost', async () => {
    const { worker, env } = await provisioned('cli-killed');
    const count = 30;
    const expected: string[] = [];
    for (let n = 1; n <= count; n += 1) {
      const number = String(1000 + n);
      expected.push(number);
      await deadLetter(aws.sqs, testDb().db, worker, { changes: [change(number, `T-${n}`)], reason: 'boom' });
    }

    // 4 messages a second: the 30 take about 7 s, so the kill lands midway.
    const child = spawnCli(['dlq', 'replay', worker.worker, '--all', '--rate', '4', '--json'], env);
    const first = watchChild(child);
    await waitFor(async () => (await messagesIn(aws.sqs, worker.queueUrl)) >= 5, {
      // Generous: the binary's start-up alone takes seconds on a loaded machine.
      timeoutMs: 90_000,
      description: 'the first replay moved some messages',
    });
    child.kill('SIGKILL');
    expect(await first.exit).toBe(-1);
    const movedBeforeKill = await messagesIn(aws.sqs, worker.queueUrl);
    expect(movedBeforeKill).toBeLessThan(count);

    const rerun = await runBinary(['dlq', 'replay', worker.worker, '--all', '--json'], env);
    expect(rerun.code, rerun.stderr).toBe(0);
    const result = rerun.json<DlqReplayResult>();

    const delivered = changeNumbersIn(await drainQueue(aws.sqs, worker.queueUrl));
    expect(new Set(delivered)).toEqual(new Set(expected));
    const duplicates = delivered.length - count;
    expect(duplicates).toBeLessThanOrEqual(result.duplicatesPossible);
    expect(result.moved + movedBeforeKill).toBe(delivered.length);
    expect(await messagesIn(aws.sqs, worker.deadLetterQueueUrl)).toBe(0);
    const stillDeadLettered = await testDb()
      .db.selectFrom('failed_messages')
      .select('message_id')
      .where('worker', '=', worker.worker)
      .where('dead_lettered', '=', true)
      .execute();
    expect(stillDeadLettered).toEqual([]);
  }, 240_000);

  it('sends again, and counts as a possible duplicate, a message an interrupted replay sent but did not delete', async () => {
    const { worker, env } = await provisioned('cli-half');
    const letter = await deadLetter(aws.sqs, testDb().db, worker, { changes: [change('2001', 'T-1')], reason: 'boom' });
    await deadLetter(aws.sqs, testDb().db, worker, { changes: [change('2002', 'T-2')], reason: 'boom' });
    // The state a replay killed between its send and its delete leaves: the row cleared, a copy on
    // the queue, the original still in the DLQ.
    await testDb()
      .db.updateTable('failed_messages')
      .set({ dead_lettered: false })
      .where('message_id', '=', letter.originalMessageId)
      .execute();
    await aws.sqs.send(
      new SendMessageCommand({
        QueueUrl: worker.queueUrl,
        MessageBody: encodeChangeMessageBody({ changes: letter.changes }),
      }),
    );

    const rerun = await runBinary(['dlq', 'replay', worker.worker, '--all', '--json'], env);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.json<DlqReplayResult>()).toMatchObject({ moved: 2, duplicatesPossible: 1 });
    const delivered = changeNumbersIn(await drainQueue(aws.sqs, worker.queueUrl)).sort();
    expect(delivered).toEqual(['2001', '2001', '2002']);

    const text = await runBinary(['dlq', 'replay', worker.worker, '--all'], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Moved 0 message(s)');
  }, 180_000);

  it('stops after the batch in hand on SIGINT (exit 3, interrupted), and a rerun moves the rest', async () => {
    const { worker, env } = await provisioned('cli-sigint');
    const expected: string[] = [];
    for (let n = 1; n <= 20; n += 1) {
      const number = String(3000 + n);
      expected.push(number);
      await deadLetter(aws.sqs, testDb().db, worker, { changes: [change(number, `T-${n}`)], reason: 'boom' });
    }
    const child = spawnCli(['dlq', 'replay', worker.worker, '--all', '--rate', '2', '--json'], env);
    const first = watchChild(child);
    await waitFor(async () => (await messagesIn(aws.sqs, worker.queueUrl)) >= 2, {
      timeoutMs: 90_000,
      description: 'the replay moved some messages',
    });
    child.kill('SIGINT');
    expect(await first.exit).toBe(3);
    const interrupted = JSON.parse(first.stdout()) as DlqReplayResult;
    expect(interrupted.interrupted).toBe(true);
    expect(interrupted.moved).toBeLessThan(20);
    expect(first.stderr()).toContain('SIGINT: stopping after the batch in hand');

    const rerun = await runBinary(['dlq', 'replay', worker.worker, '--all', '--json'], env);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(interrupted.moved + rerun.json<DlqReplayResult>().moved).toBe(20);
    expect(changeNumbersIn(await drainQueue(aws.sqs, worker.queueUrl)).sort()).toEqual(expected);
  }, 240_000);
});
