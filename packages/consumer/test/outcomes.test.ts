import { useTestDatabase, waitFor } from '@changeflow/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsumerDatabase, defineWorker, FatalError, migrateConsumer } from '../src/index.js';
import { changeMessage, type RuntimeHarness, startRuntime } from './runtime-harness.js';

const testDb = useTestDatabase<ConsumerDatabase>('outcomes', migrateConsumer);

/** When each delivery of each object reached a handler, by the process clock. */
const deliveries = new Map<string, number[]>();
const handledOk = new Set<string>();
let hangOnce = true;

const flaky = defineWorker({
  name: 'flaky',
  subscribesTo: ['trainee'],
  maxReceiveCount: 3,
  backoffBaseSeconds: 1,
  waitTimeSeconds: 1,
  async handle(changes) {
    for (const change of changes) {
      deliveries.set(change.objectId, [...(deliveries.get(change.objectId) ?? []), Date.now()]);
      if (change.objectId.startsWith('recoverable')) throw new Error('the index store is busy');
      if (change.objectId.startsWith('fatal')) throw new FatalError('this change can never be projected');
      if (change.objectId.startsWith('refuse')) return 'deadLetter';
    }
    for (const change of changes) handledOk.add(change.objectId);
  },
});

const overrunning = defineWorker({
  name: 'overrunning',
  subscribesTo: ['trainee'],
  maxHandlerMs: 300,
  waitTimeSeconds: 1,
  async handle(changes, { signal }) {
    if (hangOnce) {
      hangOnce = false;
      // Never finishes by itself; the runtime must abandon it and abort the signal.
      await new Promise((resolve) => signal.addEventListener('abort', resolve));
      return;
    }
    for (const change of changes) handledOk.add(change.objectId);
  },
});

let harness: RuntimeHarness;
beforeAll(async () => {
  harness = await startRuntime(testDb().db, [flaky, overrunning]);
});
afterAll(() => harness.close());

async function failedRow(messageId: string) {
  return testDb().db.selectFrom('failed_messages').selectAll().where('message_id', '=', messageId).executeTakeFirst();
}

describe('G5: no silent loss in workers', () => {
  it('retries a recoverable failure with growing delays, then SQS dead-letters it with its reason recorded', async () => {
    const id = await harness.send('flaky', JSON.stringify({ changes: [changeMessage(1, 'recoverable-1')] }));
    const [dead] = await harness.deadLetters('flaky', 1);
    expect(dead?.body).toContain('recoverable-1');
    const times = deliveries.get('recoverable-1') ?? [];
    expect(times).toHaveLength(3);
    // Never back before its delay: 1 s (base) after the first failure, at least 1 s after the second.
    expect((times[1] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(900);
    expect((times[2] ?? 0) - (times[1] ?? 0)).toBeGreaterThanOrEqual(900);
    const row = await waitFor(async () => (await failedRow(id))?.dead_lettered && failedRow(id));
    expect(row).toMatchObject({
      worker: 'flaky',
      attempts: 3,
      dead_lettered: true,
      change_numbers: ['1'],
      object_ids: ['recoverable-1'],
    });
    expect(row?.error).toContain('the index store is busy');
    expect(harness.events.filter((e) => e.messageId === id).map((e) => e.outcome)).toEqual(['retry', 'retry', 'retry']);
  });

  it('dead-letters a fatal failure at once, with the reason on the dead letter and in failed_messages', async () => {
    const id = await harness.send('flaky', JSON.stringify({ changes: [changeMessage(2, 'fatal-1')] }));
    const event = await harness.waitForEvent((e) => e.messageId === id);
    expect(event.outcome).toBe('deadLetter');
    const letters = await harness.deadLetters('flaky', 1);
    const letter = letters.find((l) => l.body.includes('fatal-1'));
    expect(letter?.attributes).toMatchObject({
      'changeflow-worker': 'flaky',
      'changeflow-attempts': '1',
      'changeflow-source-message-id': id,
    });
    expect(letter?.attributes['changeflow-error']).toContain('this change can never be projected');
    expect(await failedRow(id)).toMatchObject({ attempts: 1, dead_lettered: true });
    expect(deliveries.get('fatal-1')).toHaveLength(1);
  });

  it('dead-letters a handler’s deliberate "deadLetter" at once', async () => {
    const id = await harness.send('flaky', JSON.stringify({ changes: [changeMessage(3, 'refuse-1')] }));
    expect((await harness.waitForEvent((e) => e.messageId === id)).outcome).toBe('deadLetter');
    expect(await failedRow(id)).toMatchObject({ dead_lettered: true, error: 'handler returned "deadLetter"' });
  });

  it('dead-letters a malformed body at once, naming what is wrong', async () => {
    const notJson = await harness.send('flaky', 'this is not a change message');
    const badField = await harness.send(
      'flaky',
      JSON.stringify({ changes: [{ ...changeMessage(4, 'x'), objectVersion: 'seven' }] }),
    );
    for (const id of [notJson, badField])
      expect((await harness.waitForEvent((e) => e.messageId === id)).outcome).toBe('deadLetter');
    expect((await failedRow(notJson))?.error).toMatch(/message body is not JSON/);
    expect((await failedRow(badField))?.error).toMatch(/changes\.0\.objectVersion = "seven"/);
    const letters = await harness.deadLetters('flaky', 2);
    expect(letters.map((l) => l.body)).toContain('this is not a change message');
  });

  it('splits a failing multi-change message so only the bad change reaches the DLQ', async () => {
    const body = JSON.stringify({
      changes: [changeMessage(10, 'good-a'), changeMessage(11, 'fatal-in-batch'), changeMessage(12, 'good-b')],
    });
    const id = await harness.send('flaky', body);
    expect((await harness.waitForEvent((e) => e.messageId === id)).outcome).toBe('split');
    await waitFor(() => handledOk.has('good-a') && handledOk.has('good-b'), {
      timeoutMs: 20_000,
      description: 'the good changes handled',
    });
    const bad = await harness.waitForEvent((e) => e.outcome === 'deadLetter' && e.changeNumbers.join() === '11');
    expect(bad.changeNumbers).toEqual(['11']);
    expect(await failedRow(id)).toMatchObject({ change_numbers: ['10', '11', '12'], dead_lettered: false });
    expect((await failedRow(id))?.error).toMatch(/^split into 3 messages after: FatalError/);
    expect(handledOk.has('fatal-in-batch')).toBe(false);
  });

  it('abandons a handler that overruns maxHandlerMs and delivers its message again', async () => {
    const id = await harness.send('overrunning', JSON.stringify({ changes: [changeMessage(20, 'slow-1')] }));
    expect((await harness.waitForEvent((e) => e.messageId === id && e.outcome === 'abandoned')).attempt).toBe(1);
    const again = await harness.waitForEvent((e) => e.messageId === id && e.outcome === 'done');
    expect(again.attempt).toBe(2);
    expect(handledOk.has('slow-1')).toBe(true);
  });
});
