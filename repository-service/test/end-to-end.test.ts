import type { AddressInfo } from 'node:net';
import { createWorkerRuntime, type MessageProcessedEvent, type WorkerRuntime } from '@changeflow/consumer';
import type { OutboxDatabase } from '@changeflow/outbox';
import {
  createRevalIndexWorker,
  DEFAULT_DESIGNATED_BODIES,
  REVAL_INDEX_TABLES,
  type RevalIndexTable,
} from '@changeflow/reval';
import { createSemaphore, migrateSemaphore } from '@changeflow/semaphore';
import { waitFor } from '@changeflow/test-support';
import type { Kysely } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gmcDoctor, ndjson, READ, trainee, useTestService, WRITE } from './support.js';

/**
 * The whole flow of DESIGN.md §1 in one process: writes over real HTTP, the outbox publishing to the
 * local SNS, the reval index worker polling its SQS queue and projecting into the index tables,
 * and the query routes reading them back.
 */
const service = useTestService('e2e');

/** "Today" for the rules: memberships ending 2026-06-14 have ended. */
const NOW = new Date('2026-06-15T12:00:00Z');
const TV = '1-1RSSQ6R'; // Thames Valley
const NE = '1-1RSSQ1B'; // North East
const SW = '1-1RUZUVB'; // South West

let runtime: WorkerRuntime;
let baseUrl: string;
const outcomes: MessageProcessedEvent[] = [];

beforeAll(async () => {
  const { db, indexSchema, aws, prefix, app } = service();
  await migrateSemaphore(db);
  const worker = createRevalIndexWorker(
    {
      primaryDb: db,
      indexDb: db as unknown as Kysely<unknown>,
      indexSchema,
      designatedBodies: DEFAULT_DESIGNATED_BODIES,
    },
    { now: () => NOW, waitTimeSeconds: 1 },
  );
  runtime = createWorkerRuntime(
    {
      sqs: aws.sqs,
      sns: aws.sns,
      db: db as unknown as Kysely<OutboxDatabase>,
      semaphore: createSemaphore(db),
      logger: pino({ level: 'silent' }),
    },
    [worker],
    { prefix, provision: true, drainTimeoutMs: 5000 },
  );
  runtime.on('message:processed', (event) => outcomes.push(event));
  // Provisioned before the first write, so the queue is subscribed when the first change is published.
  await runtime.start();
  await app.listen({ port: 0, host: '127.0.0.1' });
  baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await runtime?.stop();
});

async function call(method: string, path: string, body?: unknown, contentType = 'application/json') {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...(method === 'GET' ? READ : WRITE), ...(body === undefined ? {} : { 'content-type': contentType }) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(json)}`);
  return json;
}

/** The GMC numbers in each index table. */
async function indexContents(): Promise<Record<RevalIndexTable, string[]>> {
  const { indexDb, indexSchema } = service();
  const entries = await Promise.all(
    REVAL_INDEX_TABLES.map(async (table) => {
      const rows = await indexDb
        .withSchema(indexSchema)
        .selectFrom(table)
        .select('gmc_reference_number')
        .orderBy('gmc_reference_number')
        .execute();
      return [table, rows.map((row) => row.gmc_reference_number)] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<RevalIndexTable, string[]>;
}

/** Waits until every index holds exactly these GMC numbers (the timeout's cause shows the last difference). */
async function waitForIndexes(expected: Record<RevalIndexTable, string[]>, description: string): Promise<void> {
  await waitFor(
    async () => {
      expect(await indexContents()).toEqual(expected);
      return true;
    },
    { timeoutMs: 30_000, intervalMs: 100, description },
  );
}

async function masterDocument(gmcReferenceNumber: string) {
  const { indexDb, indexSchema } = service();
  return indexDb
    .withSchema(indexSchema)
    .selectFrom('master')
    .selectAll()
    .where('gmc_reference_number', '=', gmcReferenceNumber)
    .executeTakeFirst();
}

/** Each fact of the flow builds on the one before: the tests run in order. */
describe('writes through HTTP reach the reval indexes through the workers', () => {
  it('projects single writes and NDJSON imports into the right indexes', async () => {
    await call('PUT', '/api/tcs/trainees/2001', trainee(2001, '8000001', 'Thames Valley'));
    await call('PUT', '/api/gmc/doctors/8000001', gmcDoctor('8000001', TV));
    await call('PUT', '/api/recommendations/rec-1', {
      gmcReferenceNumber: '8000001',
      type: 'REVALIDATE',
      status: 'READY_TO_REVIEW',
      gmcSubmissionDate: '2026-12-01',
    });
    await call('PUT', '/api/tcs/trainees/2002', trainee(2002, '8000002', 'Wessex'));
    await call('PUT', '/api/gmc/doctors/8000002', gmcDoctor('8000002', TV));

    const ended = trainee(2005, '8000005', 'Thames Valley');
    const endedYesterday = {
      ...ended,
      programmeMemberships: [{ ...ended.programmeMemberships[0], endDate: '2026-06-14' }],
    };
    const trainees = await call(
      'POST',
      '/api/tcs/trainees',
      ndjson([trainee(2003, '8000003', 'North East'), trainee(2004, '8000004', 'South West'), endedYesterday]),
      'application/x-ndjson',
    );
    expect(trainees).toEqual({ received: 3, accepted: 3, rejected: 0, errors: [] });
    const doctors = await call(
      'POST',
      '/api/gmc/doctors',
      ndjson([gmcDoctor('8000003', NE), gmcDoctor('8000004', SW), gmcDoctor('8000005', TV)]),
      'application/x-ndjson',
    );
    expect(doctors).toMatchObject({ accepted: 3, rejected: 0 });
    const recommendations = await call(
      'POST',
      '/api/recommendations',
      ndjson([
        {
          id: 'rec-3',
          gmcReferenceNumber: '8000003',
          type: 'REVALIDATE',
          status: 'COMPLETED',
          outcome: 'APPROVED',
          gmcSubmissionDate: '2026-05-01',
          actualSubmissionDate: '2026-05-01',
        },
      ]),
      'application/x-ndjson',
    );
    expect(recommendations).toMatchObject({ accepted: 1 });

    const all = ['8000001', '8000002', '8000003', '8000004', '8000005'];
    await waitForIndexes(
      {
        master: all,
        recommendation: all,
        connected: all,
        disconnected: [],
        // Today is 2026-06-15: 8000005's membership ended yesterday while it is connected.
        exception: ['8000005'],
        // Wessex in TCS, Thames Valley in the GMC.
        discrepancies: ['8000002'],
      },
      'the first writes projected',
    );
    expect(await masterDocument('8000001')).toMatchObject({
      tcs_person_id: '2001',
      doctor_first_name: 'Gmc8000001',
      programme_name: 'General Practice',
      tcs_designated_body: TV,
      designated_body: TV,
      tis_status: 'DRAFT',
      connection_status: 'Yes',
    });
    // The recommendation import came last: its own change may be projected after the documents exist.
    await waitFor(async () => (await masterDocument('8000003'))?.tis_status === 'COMPLETED', {
      description: "8000003's recommendation projected",
    }).catch(() => undefined);
    expect(await masterDocument('8000003')).toMatchObject({ tis_status: 'COMPLETED', gmc_status: 'Approved' });
  });

  it('answers the queries from the projected indexes', async () => {
    const doctors = await call('GET', '/api/v1/doctors?sortColumn=gmcReferenceNumber&sortOrder=asc');
    expect(doctors).toMatchObject({ totalResults: 5, totalPages: 1, countTotal: 5, countUnderNotice: 0 });
    expect((doctors.records as Array<{ gmcReferenceNumber: string }>).map((r) => r.gmcReferenceNumber)).toEqual([
      '8000001',
      '8000002',
      '8000003',
      '8000004',
      '8000005',
    ]);
    expect((doctors.records as unknown[])[0]).toMatchObject({
      gmcReferenceNumber: '8000001',
      tcsPersonId: 2001,
      conflictingTcsPersonIds: [],
      designatedBody: TV,
      tisStatus: 'DRAFT',
      existsInGmc: true,
      connectionStatus: 'Yes',
    });
    const thamesValley = await call('GET', `/api/v1/doctors?dbcs=${TV}&sortColumn=gmcReferenceNumber&sortOrder=asc`);
    expect((thamesValley.records as Array<{ gmcReferenceNumber: string }>).map((r) => r.gmcReferenceNumber)).toEqual([
      '8000001',
      '8000002',
      '8000005',
    ]);
    const searched = await call('GET', '/api/v1/doctors?searchQuery=first2004');
    expect(searched).toMatchObject({ totalResults: 0 }); // GMC names win over TCS ones for doctors in the GMC
    const byGmcName = await call('GET', '/api/v1/doctors?searchQuery=gmc8000004');
    expect((byGmcName.records as Array<{ gmcReferenceNumber: string }>).map((r) => r.gmcReferenceNumber)).toEqual([
      '8000004',
    ]);
    const exception = await call('GET', '/api/connection/exception');
    expect(exception).toMatchObject({
      totalResults: 1,
      records: [{ gmcReferenceNumber: '8000005', membershipEndDate: '2026-06-14' }],
    });
    const discrepancies = await call('GET', '/api/connection/discrepancies');
    expect(discrepancies).toMatchObject({
      totalResults: 1,
      records: [{ gmcReferenceNumber: '8000002', tcsDesignatedBody: '1-1RUZUSF', designatedBody: TV }],
    });
  });

  it('moves a GMC number from one trainee to another, updating both documents', async () => {
    await call('PUT', '/api/tcs/trainees/2004', trainee(2004, '8000003', 'South West'));
    await call('PUT', '/api/tcs/trainees/2003', trainee(2003, null, 'North East'));
    await waitFor(
      async () => {
        expect(await masterDocument('8000003')).toMatchObject({
          tcs_person_id: '2004',
          conflicting_tcs_person_ids: [],
          programme_owner: 'South West',
          tcs_designated_body: SW,
        });
        expect(await masterDocument('8000004')).toMatchObject({
          tcs_person_id: null,
          programme_name: null,
          tcs_designated_body: null,
        });
        return true;
      },
      { timeoutMs: 30_000, intervalMs: 100, description: 'both documents of the moved GMC number' },
    );
    // 8000003: South West in TCS now, North East in the GMC; 8000004: a GMC doctor with no TCS body.
    await waitForIndexes(
      {
        master: ['8000001', '8000002', '8000003', '8000004', '8000005'],
        recommendation: ['8000001', '8000002', '8000003', '8000004', '8000005'],
        connected: ['8000001', '8000002', '8000003', '8000004', '8000005'],
        disconnected: [],
        exception: ['8000005'],
        discrepancies: ['8000002', '8000003', '8000004'],
      },
      'the move projected',
    );
  });

  it('takes a deleted doctor out of every index', async () => {
    await call('DELETE', '/api/tcs/trainees/2002');
    await call('DELETE', '/api/gmc/doctors/8000002');
    await waitForIndexes(
      {
        master: ['8000001', '8000003', '8000004', '8000005'],
        recommendation: ['8000001', '8000003', '8000004', '8000005'],
        connected: ['8000001', '8000003', '8000004', '8000005'],
        disconnected: [],
        exception: ['8000005'],
        discrepancies: ['8000003', '8000004'],
      },
      'the deletion projected',
    );
    const discrepancies = await call('GET', '/api/connection/discrepancies?sortOrder=asc');
    expect((discrepancies.records as Array<{ gmcReferenceNumber: string }>).map((r) => r.gmcReferenceNumber)).toEqual([
      '8000003',
      '8000004',
    ]);
  });

  it('moves a doctor the GMC disconnected from connected to disconnected', async () => {
    await call('PUT', '/api/gmc/doctors/8000001', gmcDoctor('8000001', null, false));
    await waitForIndexes(
      {
        master: ['8000001', '8000003', '8000004', '8000005'],
        recommendation: ['8000001', '8000003', '8000004', '8000005'],
        connected: ['8000003', '8000004', '8000005'],
        disconnected: ['8000001'],
        exception: ['8000005'],
        // Thames Valley in TCS, no GMC designated body any more.
        discrepancies: ['8000001', '8000003', '8000004'],
      },
      'the disconnection projected',
    );
    expect(await masterDocument('8000001')).toMatchObject({
      exists_in_gmc: false,
      designated_body: null,
      connection_status: 'No',
    });
    const disconnected = await call('GET', '/api/connection/disconnected');
    expect(disconnected).toMatchObject({
      totalResults: 1,
      records: [{ gmcReferenceNumber: '8000001', existsInGmc: false }],
    });
    // The recommendation list shows only doctors in the GMC.
    const doctors = await call('GET', '/api/v1/doctors');
    expect((doctors.records as Array<{ gmcReferenceNumber: string }>).map((r) => r.gmcReferenceNumber)).not.toContain(
      '8000001',
    );
    expect(doctors).toMatchObject({ totalResults: 3, countTotal: 3 });
  });

  it('puts a document with a new connection failure into exception, and takes it out once cleared', async () => {
    const reason = 'Missing / Invalid Change Code (Reason)';
    await call('PUT', '/api/connection-failures/8000004', { reason });
    await waitFor(
      async () => {
        const exception = await call('GET', '/api/connection/exception?sortOrder=asc');
        expect(exception).toMatchObject({
          totalResults: 2,
          records: [{ gmcReferenceNumber: '8000004', exceptionReason: reason }, { gmcReferenceNumber: '8000005' }],
        });
        return true;
      },
      { timeoutMs: 30_000, intervalMs: 100, description: '8000004 in the exception index' },
    );
    await call('PUT', '/api/connection-failures/8000004', { reason: null });
    await waitFor(async () => (await indexContents()).exception.join() === '8000005', {
      timeoutMs: 30_000,
      intervalMs: 100,
      description: '8000004 out of the exception index',
    });
    expect(outcomes.length).toBeGreaterThan(0);
    expect(outcomes.filter((event) => event.outcome !== 'done')).toEqual([]);
  });
});
