import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createAwsClients } from '@changeflow/aws';
import { createSemaphore } from '@changeflow/semaphore';
import { SOURCE_NODE_ARGS, startTcpProxy, useTestDatabase } from '@changeflow/test-support';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { pino } from 'pino';
import type { Histogram } from 'prom-client';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { migrateOutbox, type OutboxDatabase, type RecordedChange, recordChanges } from '../src/index.js';
import { outboxWithQueue } from './outbox-harness.js';

const testDb = useTestDatabase<OutboxDatabase>('grouped_marks', (db) => migrateOutbox(db));
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Kysely on a pool of one connection, which the test can take as busy writers would. */
function narrowDb(): Kysely<OutboxDatabase> {
  const db = new Kysely<OutboxDatabase>({ dialect: new PostgresDialect({ pool: testDb().createPool(1) }) });
  cleanups.push(() => db.destroy());
  return db;
}

/** Holds the only connection of `db`'s pool until the returned function is called. */
async function takeOnlyConnection(db: Kysely<OutboxDatabase>): Promise<() => Promise<void>> {
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let taken: () => void = () => {};
  const isTaken = new Promise<void>((resolve) => {
    taken = resolve;
  });
  const held = db.connection().execute(async () => {
    taken();
    await released;
  });
  await isTaken;
  return async () => {
    release();
    await held;
  };
}

/** Commits one transaction per change, on the test's own pool. */
function commitChanges(prefix: string, count: number): Promise<RecordedChange[][]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      testDb()
        .db.transaction()
        .execute((trx) =>
          recordChanges(trx, {
            objectType: 'trainee',
            objectId: `${prefix}-${i}`,
            objectVersion: 1,
            changeType: 'UPDATE',
          }),
        ),
    ),
  );
}

/** Commits `count` changes in one transaction. */
function commitInOneTransaction(prefix: string, count: number): Promise<RecordedChange[]> {
  return testDb()
    .db.transaction()
    .execute((trx) =>
      recordChanges(
        trx,
        Array.from({ length: count }, (_, i) => ({
          objectType: 'trainee',
          objectId: `${prefix}-${i}`,
          objectVersion: 1,
          changeType: 'UPDATE' as const,
        })),
      ),
    );
}

async function unstamped(numbers: readonly string[]): Promise<string[]> {
  const rows = await testDb()
    .db.selectFrom('changes')
    .select('change_number')
    .where(sql<boolean>`change_number = any(${numbers}::bigint[])`)
    .where('published_at', 'is', null)
    .orderBy('change_number')
    .execute();
  return rows.map((row) => row.change_number);
}

async function histogram(metric: Histogram): Promise<{ count: number; sum: number }> {
  const { values } = await metric.get();
  const find = (suffix: string) => values.find((v) => v.metricName?.endsWith(suffix))?.value ?? 0;
  return { count: find('_count'), sum: find('_sum') };
}

const numbersOf = (changes: RecordedChange[][]) => changes.flat().map((change) => change.changeNumber);
const sorted = (numbers: readonly string[]) => [...numbers].sort((a, b) => Number(BigInt(a) - BigInt(b)));

describe('grouped, asynchronous "mark published" statements', () => {
  it('answers once SNS accepted, while the writers hold every connection, and stamps the changes together later', async () => {
    const db = narrowDb();
    const harness = await outboxWithQueue(db);
    cleanups.push(() => harness.close());
    const { outbox, received } = harness;
    const committed = await commitChanges('held', 40);
    const numbers = numbersOf(committed);
    const statementsBefore = await histogram(outbox.metrics.markBatchSize);

    const release = await takeOnlyConnection(db);
    // Before: every publish waited for its stamp, and so for this connection, forever.
    const results = await Promise.all(committed.map((changes) => outbox.afterCommit(changes)));
    expect(results.flatMap((result) => result.failed)).toEqual([]);
    expect(sorted(results.flatMap((result) => result.published))).toEqual(sorted(numbers));
    expect((await outbox.metrics.pendingMarks.get()).values[0]?.value).toBe(40);
    expect(await unstamped(numbers)).toHaveLength(40);

    await release();
    await outbox.publisher.flushMarks();
    expect(await unstamped(numbers)).toEqual([]);
    expect((await outbox.metrics.pendingMarks.get()).values[0]?.value).toBe(0);
    const statements = await histogram(outbox.metrics.markBatchSize);
    // At most one statement started before the connection came back, and one for the rest.
    expect(statements.count - statementsBefore.count).toBeLessThanOrEqual(2);
    expect(statements.sum - statementsBefore.sum).toBe(40);
    await received.waitForAll(numbers);
  });

  it('stops sending when maxPendingMarks changes wait for their stamp, and goes on when they are written', async () => {
    const db = narrowDb();
    const harness = await outboxWithQueue(db, { publisher: { maxPendingMarks: 5 } });
    cleanups.push(() => harness.close());
    const { outbox, received } = harness;
    const [first, second] = await Promise.all([
      commitInOneTransaction('bounded', 5),
      commitChanges('bounded-later', 1).then((changes) => changes.flat()),
    ]);
    const release = await takeOnlyConnection(db);
    expect((await outbox.afterCommit(first)).published).toHaveLength(5);
    let isSecondAnswered = false;
    const secondResult = outbox.afterCommit(second).then((result) => {
      isSecondAnswered = true;
      return result;
    });
    // The first five travel SNS -> SQS -> here; the second, asked for before, has not left.
    await received.waitForAll(first.map((change) => change.changeNumber));
    expect(isSecondAnswered).toBe(false);
    expect(received.numbers.has(second[0]?.changeNumber ?? '')).toBe(false);

    await release();
    expect((await secondResult).published).toEqual(second.map((change) => change.changeNumber));
    await outbox.publisher.flushMarks();
    expect(await unstamped([...first, ...second].map((change) => change.changeNumber))).toEqual([]);
    await received.waitForAll(second.map((change) => change.changeNumber));
  });

  it('G3: a writer SIGKILLed with stamps pending loses nothing: the sweeper sends those changes again', async () => {
    const harness = await outboxWithQueue(testDb().db);
    cleanups.push(() => harness.close());
    const { outbox, received, topicPrefix } = harness;
    const fixture = fileURLToPath(new URL('./fixtures/publish-then-hang.ts', import.meta.url));
    const child = spawn(
      process.execPath,
      [...SOURCE_NODE_ARGS, fixture, testDb().url, inject('awsEndpoint'), topicPrefix, 'killed-before-stamp', '4'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const [line] = (await once(child.stdout, 'data')) as [Buffer];
    const { published, failed } = JSON.parse(line.toString()) as { published: string[]; failed: string[] };
    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(failed).toEqual([]);
    expect(published).toHaveLength(4);
    await received.waitForAll(published);
    expect(await unstamped(published)).toEqual(sorted(published));

    const sweeper = outbox.createSweeper(createSemaphore(testDb().db), { graceMs: 0 });
    expect(await sweeper.runOnce()).toBe('ran');
    expect(await unstamped(published)).toEqual([]);
    // Each one a second time.
    await received.waitForAll(published, 15_000, 2);
  });

  it('G3: SNS down while stamps are pending: what SNS took is stamped, what it refused waits for the sweeper', async () => {
    const proxy = await startTcpProxy(inject('awsEndpoint'));
    cleanups.push(() => proxy.close());
    const proxied = createAwsClients({ endpoint: proxy.endpoint, maxAttempts: 2 });
    cleanups.push(async () => proxied.destroy());
    const db = narrowDb();
    const harness = await outboxWithQueue(db, { sns: proxied.sns });
    cleanups.push(() => harness.close());
    const { outbox, received } = harness;
    const takenChanges = (await commitChanges('taken', 3)).flat();
    const taken = takenChanges.map((change) => change.changeNumber);
    const refused = await commitChanges('refused', 3);

    const release = await takeOnlyConnection(db);
    const accepted = await outbox.afterCommit(takenChanges);
    expect(sorted(accepted.published)).toEqual(sorted(taken));
    await proxy.down();
    const results = await Promise.all(refused.map((changes) => outbox.afterCommit(changes)));
    expect(results.flatMap((result) => result.published)).toEqual([]);
    await release();
    await outbox.publisher.flushMarks();
    expect(await unstamped(taken)).toEqual([]);
    expect(await unstamped(numbersOf(refused))).toEqual(sorted(numbersOf(refused)));

    await proxy.up();
    const sweeper = outbox.createSweeper(createSemaphore(testDb().db), { graceMs: 0 });
    expect(await sweeper.runOnce()).toBe('ran');
    expect(await unstamped([...taken, ...numbersOf(refused)])).toEqual([]);
    await received.waitForAll([...taken, ...numbersOf(refused)]);
  });

  it('G3: a failing "mark published" statement is logged and counted; the sweeper sends those changes again', async () => {
    const lines: Array<{ msg: string; changes?: number }> = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const harness = await outboxWithQueue(testDb().db, { logger });
    cleanups.push(() => harness.close());
    const { outbox, received } = harness;
    await sql`
      create function refuse_stamp() returns trigger language plpgsql as $$
      begin
        if new.object_id like 'stamp-refused-%' then raise exception 'stamp refused'; end if;
        return new;
      end $$`.execute(testDb().db);
    await sql`create trigger refuse_stamp before update on changes for each row execute function refuse_stamp()`.execute(
      testDb().db,
    );
    cleanups.push(async () => {
      await sql`drop trigger if exists refuse_stamp on changes`.execute(testDb().db);
      await sql`drop function if exists refuse_stamp()`.execute(testDb().db);
    });
    const refused = await commitInOneTransaction('stamp-refused', 3);
    const numbers = refused.map((change) => change.changeNumber);
    expect((await outbox.afterCommit(refused)).published).toHaveLength(3);
    await outbox.publisher.flushMarks();
    expect(await unstamped(numbers)).toEqual(sorted(numbers));
    expect((await outbox.metrics.markFailures.get()).values[0]?.value).toBe(3);
    expect(lines.filter((line) => line.msg.includes('could not be marked'))).toEqual([
      expect.objectContaining({ changes: 3 }),
    ]);
    await received.waitForAll(numbers);

    // Later stamps go on.
    const [later] = await commitChanges('stamp-after-refusal', 1);
    await outbox.afterCommit(later ?? []);
    await outbox.publisher.flushMarks();
    expect(await unstamped(numbersOf([later ?? []]))).toEqual([]);

    await sql`drop trigger refuse_stamp on changes`.execute(testDb().db);
    const sweeper = outbox.createSweeper(createSemaphore(testDb().db), { graceMs: 0 });
    expect(await sweeper.runOnce()).toBe('ran');
    expect(await unstamped(numbers)).toEqual([]);
    // Each one a second time.
    await received.waitForAll(numbers, 15_000, 2);
  });
});
