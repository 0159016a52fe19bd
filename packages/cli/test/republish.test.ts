import { createOutbox, listChanges, migrateOutbox, type OutboxDatabase, recordChanges } from '@changeflow/outbox';
import {
  createSubscribedQueue,
  type SubscribedQueue,
  testAwsClients,
  uniquePrefix,
  useTestDatabase,
  waitFor,
} from '@changeflow/test-support';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import type { RepublishResult } from '../src/index.js';
import { changeNumbersIn, cliEnv, runBinary, runInProcess, spawnCli, watchChild } from './cli-harness.js';

const testDb = useTestDatabase<OutboxDatabase>('cli_republish', (db) => migrateOutbox(db));
const aws = testAwsClients();
const queues: SubscribedQueue[] = [];
afterAll(async () => {
  await Promise.all(queues.map((queue) => queue.delete()));
  aws.destroy();
});

/** A prefix of its own with a queue subscribed to its trainee and gmc-doctor topics. */
async function setUp() {
  const prefix = uniquePrefix('cli-rep');
  const outbox = createOutbox({ db: testDb().db, sns: aws.sns }, { topicPrefix: prefix });
  const arns = await Promise.all(['trainee', 'gmc-doctor'].map((type) => outbox.publisher.topicArn(type)));
  const queue = await createSubscribedQueue(aws, `${prefix}-watch`, arns);
  queues.push(queue);
  const env = cliEnv(testDb().url, prefix);
  /** Everything the queue receives until a receive comes back empty: change numbers, one per delivery. */
  const received = async (): Promise<string[]> => {
    const numbers: string[] = [];
    for (;;) {
      const batch = await queue.receive(1);
      if (batch.length === 0) return numbers;
      numbers.push(...changeNumbersIn(batch));
    }
  };
  return { env, received, queue };
}

/** Records changes without publishing them (as a writer that died before its fast path). */
async function record(objectType: string, ids: readonly string[]): Promise<string[]> {
  const recorded = await recordChanges(
    testDb().db,
    ids.map((objectId) => ({ objectType, objectId, objectVersion: 1, changeType: 'UPDATE' as const })),
  );
  return recorded.map((c) => c.changeNumber);
}

describe('changeflow republish', () => {
  it('publishes the range, narrowed by --to, --type, --object and --since, packed into messages', async () => {
    const { env, received } = await setUp();
    const trainees = await record('trainee', ['T-1', 'T-2', 'T-3', 'T-4']);
    const doctors = await record('gmc-doctor', ['G-1', 'G-2']);
    const from = trainees[0] ?? '';

    const all = await runInProcess(['republish', '--from', from, '--json'], env);
    expect(all.code, all.stderr).toBe(0);
    expect(all.json<RepublishResult>()).toMatchObject({ matched: 6, published: 6, failed: 0, interrupted: false });
    expect((await received()).sort()).toEqual([...trainees, ...doctors].sort());

    const byType = await runInProcess(['republish', '--from', from, '--type', 'gmc-doctor', '--json'], env);
    expect(byType.json<RepublishResult>()).toMatchObject({ matched: 2, published: 2, previouslyPublished: 2 });
    expect((await received()).sort()).toEqual([...doctors].sort());

    const byObject = await runInProcess(
      ['republish', '--from', from, '--type', 'trainee', '--object', 'T-3', '--json'],
      env,
    );
    expect(byObject.json<RepublishResult>().published).toBe(1);
    expect(await received()).toEqual([trainees[2]]);

    const byTo = await runInProcess(['republish', '--from', from, '--to', trainees[1] ?? '', '--json'], env);
    expect(byTo.json<RepublishResult>().published).toBe(2);
    expect((await received()).sort()).toEqual(trainees.slice(0, 2).sort());

    // Move the first two trainee changes an hour into the past: --since 30m leaves them out.
    await testDb()
      .db.updateTable('changes')
      .set({ created_at: sql`now() - interval '1 hour'` })
      .where('change_number', 'in', trainees.slice(0, 2))
      .execute();
    const since = await runInProcess(['republish', '--from', from, '--since', '30m', '--json'], env);
    expect(since.json<RepublishResult>().published).toBe(4);
    expect((await received()).sort()).toEqual([...trainees.slice(2), ...doctors].sort());
  });

  it('--dry-run counts and publishes nothing; text output says so', async () => {
    const { env, received } = await setUp();
    const numbers = await record('trainee', ['D-1', 'D-2', 'D-3']);
    const run = await runInProcess(['republish', '--from', numbers[0] ?? '', '--dry-run'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Dry run: 3 change(s)');
    expect(await received()).toEqual([]);
    expect(
      (await listChanges(testDb().db, { fromChangeNumber: numbers[0] })).every((c) => c.publishedAt === null),
    ).toBe(true);
  });

  it('exits 1 when SNS cannot be reached, counting every change as not published', async () => {
    const numbers = await record('trainee', ['U-1', 'U-2']);
    const env = cliEnv(testDb().url, uniquePrefix('cli-rep'), { AWS_ENDPOINT_URL: 'http://127.0.0.1:9' });
    const run = await runInProcess(['republish', '--from', numbers[0] ?? '', '--to', numbers[1] ?? '', '--json'], env);
    expect(run.code).toBe(1);
    expect(run.json<RepublishResult>()).toMatchObject({ matched: 2, published: 0, failed: 2 });
    expect(run.json<RepublishResult>().failedChangeNumbers.sort()).toEqual([...numbers].sort());
  });

  it('rejects bad arguments with exit 2, saying what is accepted', async () => {
    const env = cliEnv(testDb().url, uniquePrefix('cli-rep'));
    const missing = await runInProcess(['republish'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '--from <n>' not specified");
    const notNumber = await runInProcess(['republish', '--from', 'abc'], env);
    expect(notNumber.code).toBe(2);
    expect(notNumber.stderr).toContain('--from must be a change number from 0 to 9223372036854775807 (digits only');
    const badSince = await runInProcess(['republish', '--from', '1', '--since', 'yesterday'], env);
    expect(badSince.code).toBe(2);
    expect(badSince.stderr).toContain(
      'must be an ISO time (2024-05-01T12:00:00Z) or an age such as 90s, 15m, 2h or 1d',
    );
    const backwards = await runInProcess(['republish', '--from', '10', '--to', '2'], env);
    expect(backwards.code).toBe(2);
    expect(backwards.stderr).toContain('--to 2 is below --from 10');
  });

  it('killed midway and run again: every change is delivered, and what went twice is counted', async () => {
    const { env, received } = await setUp();
    const ids = Array.from({ length: 40 }, (_, n) => `K-${n}`);
    const numbers = await record('trainee', ids);
    const from = numbers[0] ?? '';
    const published = async () =>
      (await listChanges(testDb().db, { fromChangeNumber: from, published: true, limit: 1000 })).length;

    // 5 changes a second, 5 at a time: 40 take about 8 s, so the kill lands midway.
    const child = spawnCli(['republish', '--from', from, '--rate', '5', '--json'], env);
    const first = watchChild(child);
    await waitFor(async () => (await published()) >= 10, { timeoutMs: 90_000, description: 'ten changes published' });
    child.kill('SIGKILL');
    expect(await first.exit).toBe(-1);
    const publishedBeforeKill = await published();
    expect(publishedBeforeKill).toBeLessThan(40);

    const rerun = await runBinary(['republish', '--from', from, '--json'], env);
    expect(rerun.code, rerun.stderr).toBe(0);
    const result = rerun.json<RepublishResult>();
    expect(result).toMatchObject({ matched: 40, published: 40, failed: 0 });
    expect(result.previouslyPublished).toBe(publishedBeforeKill);

    const delivered = await received();
    expect(new Set(delivered)).toEqual(new Set(numbers));
    // Marked published means SNS took it, so each of those went twice; at most one chunk (5) more
    // may have been taken by SNS and not yet marked when the kill landed.
    const duplicates = delivered.length - numbers.length;
    expect(duplicates).toBeGreaterThanOrEqual(result.previouslyPublished);
    expect(duplicates).toBeLessThanOrEqual(result.previouslyPublished + 5);
  }, 240_000);

  it('stops on SIGINT with exit 3 and the --from to go on with; going on from there delivers the rest', async () => {
    const { env, received } = await setUp();
    const numbers = await record(
      'trainee',
      Array.from({ length: 20 }, (_, n) => `I-${n}`),
    );
    const from = numbers[0] ?? '';
    const child = spawnCli(['republish', '--from', from, '--to', numbers[19] ?? '', '--rate', '2', '--json'], env);
    const first = watchChild(child);
    await waitFor(
      async () => (await listChanges(testDb().db, { fromChangeNumber: from, published: true })).length >= 2,
      { timeoutMs: 90_000, description: 'two changes published' },
    );
    child.kill('SIGINT');
    expect(await first.exit).toBe(3);
    const interrupted = JSON.parse(first.stdout()) as RepublishResult;
    expect(interrupted).toMatchObject({ interrupted: true, failed: 0 });
    expect(interrupted.published).toBeLessThan(20);
    expect(interrupted.resumeFrom).toBe(numbers[interrupted.published]);

    const rest = await runInProcess(
      ['republish', '--from', interrupted.resumeFrom ?? '', '--to', numbers[19] ?? '', '--json'],
      env,
    );
    expect(rest.code).toBe(0);
    expect(interrupted.published + rest.json<RepublishResult>().published).toBe(20);
    expect(new Set(await received())).toEqual(new Set(numbers));
  }, 240_000);
});
