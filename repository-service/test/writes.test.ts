import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '@changeflow/test-support';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_RECORD_BYTES } from '../src/index.js';
import { gmcDoctor, ndjson, trainee, useTestService, WRITE } from './support.js';

/** 1.5 MiB: above one line's limit (1 MiB), so both limits can be crossed. */
const BULK_MAX_BYTES = 1_572_864;
const service = useTestService('writes', { BULK_BATCH_SIZE: '50', BULK_MAX_BYTES: String(BULK_MAX_BYTES) });

/** A change row fails for this object id, as if the database refused the write (a check violation). */
const POISON_ID = '999999';

let baseUrl: string;
beforeAll(async () => {
  const { app, db } = service();
  await sql`
    create function refuse_poison() returns trigger language plpgsql as $$
    begin
      if new.object_id = ${sql.lit(POISON_ID)} then
        raise exception 'poisoned change' using errcode = 'check_violation';
      end if;
      return new;
    end $$`.execute(db);
  await sql`create trigger refuse_poison before insert on changes for each row execute function refuse_poison()`.execute(
    db,
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});

async function changeRow(changeNumber: string) {
  return service().db.selectFrom('changes').selectAll().where('change_number', '=', changeNumber).executeTakeFirst();
}

const cases = [
  {
    name: 'trainee',
    path: '/api/tcs/trainees/501',
    id: '501',
    body: trainee(501, '7100501'),
    table: 'reval_trainee',
    key: 'tcs_person_id',
  },
  {
    name: 'gmc-doctor',
    path: '/api/gmc/doctors/7100502',
    id: '7100502',
    body: gmcDoctor('7100502', '1-1RSSQ6R'),
    table: 'reval_gmc_doctor',
    key: 'gmc_reference_number',
  },
  {
    name: 'recommendation',
    path: '/api/recommendations/rec-503',
    id: 'rec-503',
    body: { id: 'rec-503', gmcReferenceNumber: '7100502', type: 'REVALIDATE', status: 'READY_TO_REVIEW' },
    table: 'reval_recommendation',
    key: 'id',
  },
  {
    name: 'connection-failure',
    path: '/api/connection-failures/7100502',
    id: '7100502',
    body: { reason: 'Missing / Invalid Change Code (Reason)' },
    table: 'reval_connection_failure',
    key: 'gmc_reference_number',
  },
] as const;

describe('every write records its change in the same transaction', () => {
  for (const write of cases) {
    it(`PUT, PUT and DELETE of a ${write.name} each answer the new version and the change that carries it`, async () => {
      const { app, db } = service();
      const headers = {
        ...WRITE,
        'x-user-id': 'officer@example.org',
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      };
      const steps = [
        { method: 'PUT', status: 201, version: 1, changeType: 'CREATE' },
        { method: 'PUT', status: 200, version: 2, changeType: 'UPDATE' },
        { method: 'DELETE', status: 200, version: 3, changeType: 'DELETE' },
        { method: 'PUT', status: 200, version: 4, changeType: 'UPDATE' },
      ] as const;
      for (const step of steps) {
        const answer = await app.inject({
          method: step.method,
          url: write.path,
          headers,
          ...(step.method === 'PUT' ? { payload: write.body } : {}),
        });
        expect(answer.statusCode, answer.body).toBe(step.status);
        const result = answer.json();
        expect(result).toEqual({
          objectType: write.name,
          objectId: write.id,
          version: step.version,
          changeNumber: expect.stringMatching(/^\d+$/),
          changeType: step.changeType,
        });
        const { rows } = await sql<{ version: string; deleted_at: Date | null }>`
          select version, deleted_at from ${sql.table(write.table)} where ${sql.ref(write.key)}::text = ${write.id}`.execute(
          db,
        );
        expect(rows).toEqual([
          { version: String(step.version), deleted_at: step.changeType === 'DELETE' ? expect.any(Date) : null },
        ]);
        expect(await changeRow(result.changeNumber)).toMatchObject({
          object_type: write.name,
          object_id: write.id,
          object_version: String(step.version),
          change_type: step.changeType,
          user_id: 'officer@example.org',
          trace_context: headers.traceparent,
        });
      }
      // G2/G3: published to SNS after the commit, by the fast path.
      await waitFor(
        async () => {
          const unpublished = await db
            .selectFrom('changes')
            .select('change_number')
            .where('object_type', '=', write.name)
            .where('object_id', '=', write.id)
            .where('published_at', 'is', null)
            .execute();
          return unpublished.length === 0;
        },
        { description: `the ${write.name} changes published` },
      );
    });
  }

  it('leaves neither data nor change when recording the change fails, and answers 500 without internals', async () => {
    const { app, db } = service();
    const answer = await app.inject({
      method: 'PUT',
      url: `/api/tcs/trainees/${POISON_ID}`,
      headers: { ...WRITE, 'x-request-id': 'poison-1' },
      payload: trainee(Number(POISON_ID), '7199999'),
    });
    expect(answer.statusCode).toBe(500);
    expect(answer.json()).toEqual({
      error: 'Internal Server Error',
      message: 'the request failed unexpectedly; it was logged with request id poison-1: quote it when reporting this',
      requestId: 'poison-1',
    });
    expect(answer.body).not.toContain('poisoned');
    expect(answer.headers['x-request-id']).toBe('poison-1');
    expect(await db.selectFrom('reval_trainee').selectAll().where('tcs_person_id', '=', POISON_ID).execute()).toEqual(
      [],
    );
    expect(await db.selectFrom('reval_object_gmc').selectAll().where('object_id', '=', POISON_ID).execute()).toEqual(
      [],
    );
    expect(await db.selectFrom('changes').selectAll().where('object_id', '=', POISON_ID).execute()).toEqual([]);
  });

  it('commits an import in batches, each record with its change, and isolates a record the database refuses', async () => {
    const { app, db } = service();
    const ids = Array.from({ length: 120 }, (_, i) => 600 + i);
    const records = ids.map((id) => trainee(id, `72${String(id).padStart(5, '0')}`));
    records.splice(70, 0, trainee(Number(POISON_ID), '7299999'));
    const answer = await app.inject({
      method: 'POST',
      url: '/api/tcs/trainees',
      headers: { ...WRITE, 'content-type': 'application/x-ndjson' },
      payload: ndjson(records),
    });
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({
      received: 121,
      accepted: 120,
      rejected: 1,
      errors: [{ line: 71, reason: 'refused by the database: poisoned change' }],
    });
    const changes = await db
      .selectFrom('changes')
      .select(['object_id', 'object_version', 'tx_id'])
      .where('object_type', '=', 'trainee')
      .where(sql<boolean>`object_id::bigint between 600 and 719`)
      .execute();
    expect(changes.map((change) => Number(change.object_id)).sort((a, b) => a - b)).toEqual(ids);
    expect(new Set(changes.map((change) => change.object_version))).toEqual(new Set(['1']));
    // Batches of 50: lines 1-50, 51-100 (retried one by one around the refused line 71), 101-121.
    const transactions = new Set(changes.map((change) => change.tx_id));
    expect(transactions.size).toBe(1 + 49 + 1);
    expect(
      await db.selectFrom('reval_trainee').select('tcs_person_id').where('tcs_person_id', '=', POISON_ID).execute(),
    ).toEqual([]);
  });
});

/** POSTs `body` chunked (no Content-Length), as a client streaming a file does. */
function postChunked(
  path: string,
  chunks: readonly string[],
): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { ...WRITE, 'content-type': 'application/x-ndjson', 'transfer-encoding': 'chunked' },
    });
    request.on('response', (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, json: JSON.parse(text) }));
    });
    // The server may answer and close before it has read everything: that is the point.
    request.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE' && err.code !== 'ECONNRESET') reject(err);
    });
    for (const chunk of chunks) request.write(chunk);
    request.end();
  });
}

describe('NDJSON limits over HTTP', () => {
  it('streams a chunked import and, past BULK_MAX_BYTES, stops with 413 saying up to which line it committed', async () => {
    const { db } = service();
    // Wide lines (an admin name of the longest accepted length), so fewer records cross the limit.
    const lines = Array.from(
      { length: 1400 },
      (_, i) =>
        `${JSON.stringify({ ...gmcDoctor(`73${String(i).padStart(5, '0')}`, '1-1RSSQ6R'), admin: 'a'.repeat(1000) })}\n`,
    );
    expect(lines.join('').length).toBeGreaterThan(BULK_MAX_BYTES);
    const answer = await postChunked('/api/gmc/doctors', lines);
    expect(answer.status).toBe(413);
    const { accepted, received, rejected, message } = answer.json as {
      accepted: number;
      received: number;
      rejected: number;
      message: string;
    };
    expect(rejected).toBe(0);
    expect(accepted).toBe(received);
    expect(accepted % 50).toBe(0);
    expect(accepted).toBeGreaterThan(0);
    expect(message).toContain(
      `Lines 1-${accepted} were handled (${accepted} committed, 0 refused); send the rest from line ${accepted + 1}`,
    );
    const saved = await db
      .selectFrom('reval_gmc_doctor')
      .select('gmc_reference_number')
      .where('gmc_reference_number', 'like', '73%')
      .orderBy('gmc_reference_number')
      .execute();
    expect(saved.map((row) => row.gmc_reference_number)).toEqual(
      lines.slice(0, accepted).map((_, i) => `73${String(i).padStart(5, '0')}`),
    );
  });

  it('stops with 413 at a line longer than 1 MiB, committing the batches before it', async () => {
    const { db } = service();
    const before = Array.from(
      { length: 60 },
      (_, i) => `${JSON.stringify(gmcDoctor(`74${String(i).padStart(5, '0')}`, null))}\n`,
    );
    const long = `{"gmcReferenceNumber":"7499999","admin":"${'a'.repeat(MAX_RECORD_BYTES)}"}\n`;
    const answer = await postChunked('/api/gmc/doctors', [...before, long]);
    expect(answer.status).toBe(413);
    expect(answer.json.message).toContain(
      `line 61 is longer than ${MAX_RECORD_BYTES} bytes: the import stopped there. Lines 1-50 were handled`,
    );
    const saved = await db
      .selectFrom('reval_gmc_doctor')
      .select('gmc_reference_number')
      .where('gmc_reference_number', 'like', '74%')
      .execute();
    expect(saved).toHaveLength(50);
  });
});
