import { GetQueueUrlCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { createWorkerRuntime, type MessageProcessedEvent, provision } from '@changeflow/consumer';
import { type ChangeMessage, createOutbox, type RecordedChange, toChangeMessage } from '@changeflow/outbox';
import { createSemaphore } from '@changeflow/semaphore';
import { testAwsClients, uniquePrefix, useTestDatabase, waitFor } from '@changeflow/test-support';
import { type Kysely, sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createRevalIndexWorker,
  DEFAULT_DESIGNATED_BODIES,
  type GmcDoctor,
  migrateRevalIndex,
  migrateRevalPrimary,
  type RevalDatabase,
  saveGmcDoctors,
  untypedDb,
} from '../src/index.js';

const testDb = useTestDatabase<RevalDatabase>('index-worker-batches', (db) => migrateRevalPrimary(db));
const aws = testAwsClients();
afterAll(() => aws.destroy());

const NOW = new Date('2026-06-15T12:00:00Z');
const POISONED = '7600099';
let indexSchemas = 0;

function doctor(gmc: string): GmcDoctor {
  return {
    gmcReferenceNumber: gmc,
    doctorFirstName: 'Grace',
    doctorLastName: `Doctor${gmc}`,
    submissionDate: '2027-01-01',
    dateAdded: null,
    underNotice: 'NO',
    sanction: null,
    designatedBodyCode: '1-1RUZUSF',
    admin: null,
    existsInGmc: true,
    lastUpdatedDate: null,
  };
}

/**
 * Primary data for `gmcNumbers` (their changes, by GMC number) and an index schema whose `master`
 * refuses the poisoned GMC number, as a broken row would: the fault is in the data, not the worker.
 */
async function setUp(gmcNumbers: string[]) {
  const { db, schema } = testDb();
  indexSchemas += 1;
  const indexSchema = `${schema}_index${indexSchemas}`;
  await migrateRevalIndex(db, indexSchema);
  await sql`
    create function ${sql.id(indexSchema, 'poison')}() returns trigger language plpgsql as $$
    begin
      if new.gmc_reference_number = tg_argv[0] then raise exception 'poisoned GMC number %', tg_argv[0]; end if;
      return new;
    end $$`.execute(db);
  await sql`
    create trigger poison before insert on ${sql.id(indexSchema, 'master')}
    for each row execute function ${sql.id(indexSchema, 'poison')}(${sql.lit(POISONED)})`.execute(db);
  const outbox = createOutbox(
    { db, sns: aws.sns, logger: pino({ level: 'silent' }) },
    { topicPrefix: uniquePrefix('batches') },
  );
  const recorded: RecordedChange[] = [];
  await outbox.transaction(async (trx, changes) => {
    await saveGmcDoctors({ trx, changes }, gmcNumbers.map(doctor));
    recorded.push(...changes.recorded);
  });
  await outbox.flush();
  const change = new Map<string, ChangeMessage>(recorded.map((c) => [c.objectId, toChangeMessage(c)]));
  const of = (gmc: string) => {
    const found = change.get(gmc);
    if (!found) throw new Error(`no change recorded for ${gmc}`);
    return found;
  };
  const stores = { primaryDb: db, indexDb: untypedDb(db), indexSchema, designatedBodies: DEFAULT_DESIGNATED_BODIES };
  return { db, indexSchema, stores, of };
}

/** The transaction (`xmin`) that wrote each master row, by GMC number. */
async function masterWriters(db: Kysely<RevalDatabase>, indexSchema: string): Promise<Map<string, string>> {
  const { rows } = await sql<{ gmc: string; writer: string }>`
    select gmc_reference_number as gmc, xmin::text as writer from ${sql.id(indexSchema, 'master')}`.execute(db);
  return new Map(rows.map((row) => [row.gmc, row.writer]));
}

const context = {
  logger: pino({ level: 'silent' }),
  signal: new AbortController().signal,
  attempt: 1,
  messageId: 'm',
  worker: 'reval-index',
};

describe('the reval index worker, a receive at a time', () => {
  it('projects the messages handled together in one transaction, duplicates and all', async () => {
    const { db, indexSchema, stores, of } = await setUp(['7600001', '7600002', '7600003']);
    const worker = createRevalIndexWorker(stores, { now: () => NOW });
    // One receive: the same change twice in a message, and again in a second message.
    const results = await Promise.allSettled([
      worker.handle([of('7600001'), of('7600001'), of('7600002')], context),
      worker.handle([of('7600002'), of('7600003')], context),
      worker.handle([of('7600003')], context),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    const writers = await masterWriters(db, indexSchema);
    expect([...writers.keys()].sort()).toEqual(['7600001', '7600002', '7600003']);
    expect(new Set(writers.values()).size).toBe(1);
  });

  it('fails only the message with the bad change; its neighbours in the batch are projected', async () => {
    const { db, indexSchema, stores, of } = await setUp(['7600011', '7600012', POISONED]);
    const worker = createRevalIndexWorker(stores, { now: () => NOW });
    const results = await Promise.allSettled([
      worker.handle([of('7600011')], context),
      worker.handle([of(POISONED)], context),
      worker.handle([of('7600012'), of('7600011')], context),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/poisoned GMC number 7600099/);
    expect([...(await masterWriters(db, indexSchema)).keys()].sort()).toEqual(['7600011', '7600012']);
  });

  it('G5: through the runtime, dead-letters only the bad change of a receive', { timeout: 60_000 }, async () => {
    const { db, indexSchema, stores, of } = await setUp(['7600021', '7600022', '7600023', POISONED]);
    const prefix = uniquePrefix('batches');
    const worker = createRevalIndexWorker(stores, {
      now: () => NOW,
      maxReceiveCount: 2,
      backoffBaseSeconds: 0,
      waitTimeSeconds: 1,
    });
    await provision({ sqs: aws.sqs, sns: aws.sns }, [worker], prefix);
    const url = async (name: string) =>
      (await aws.sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl ?? '';
    // Queued before the runtime polls, so one receive brings them all.
    const queueUrl = await url(`${prefix}-reval-index`);
    for (const changes of [[of('7600021'), of(POISONED), of('7600022')], [of('7600023')], [of('7600021')]])
      await aws.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify({ changes }) }));
    const runtime = createWorkerRuntime({ sqs: aws.sqs, sns: aws.sns, db, semaphore: createSemaphore(db) }, [worker], {
      prefix,
      drainTimeoutMs: 5000,
    });
    const events: MessageProcessedEvent[] = [];
    runtime.on('message:processed', (event) => events.push(event));
    await runtime.start();
    try {
      const dlqUrl = await url(`${prefix}-reval-index-dlq`);
      const dead = await waitFor(
        async () => {
          const answer = await aws.sqs.send(
            new ReceiveMessageCommand({ QueueUrl: dlqUrl, WaitTimeSeconds: 1, VisibilityTimeout: 60 }),
          );
          return answer.Messages?.[0];
        },
        { timeoutMs: 45_000, intervalMs: 0, description: 'the poisoned change dead-lettered' },
      );
      expect(JSON.parse(dead.Body ?? '').changes.map((c: ChangeMessage) => c.objectId)).toEqual([POISONED]);
      await waitFor(async () => (await masterWriters(db, indexSchema)).size === 3, {
        timeoutMs: 20_000,
        description: 'the good changes projected',
      });
      expect([...(await masterWriters(db, indexSchema)).keys()].sort()).toEqual(['7600021', '7600022', '7600023']);
      expect(events.filter((e) => e.outcome === 'split').map((e) => e.changeNumbers.length)).toEqual([3]);
    } finally {
      await runtime.stop();
    }
  });
});
