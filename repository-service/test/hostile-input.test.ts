import type { InjectOptions } from 'fastify';
import { describe, expect, it } from 'vitest';
import { gmcDoctor, ndjson, READ, trainee, useTestService, WRITE } from './support.js';

const service = useTestService('hostile', { BULK_BATCH_SIZE: '10' });

function inject(options: InjectOptions) {
  return service().app.inject(options);
}

async function changesOf(objectType: string, objectId: string) {
  return service()
    .db.selectFrom('changes')
    .select(['object_version', 'change_type'])
    .where('object_type', '=', objectType)
    .where('object_id', '=', objectId)
    .orderBy('change_number')
    .execute();
}

describe('a NUL character anywhere (issue 16, item 2)', () => {
  it('answers 400 naming the path parameter', async () => {
    const answer = await inject({
      method: 'PUT',
      url: '/api/gmc/doctors/12%0034',
      headers: WRITE,
      payload: { doctorFirstName: 'A' },
    });
    expect(answer.statusCode).toBe(400);
    expect(answer.json().issues).toEqual([
      { path: 'params.gmcReferenceNumber', message: expect.stringContaining('NUL') },
    ]);
  });

  it('answers 400 naming the query parameter, on every query route', async () => {
    for (const url of ['/api/v1/doctors?searchQuery=%00', '/api/connection/connected?programmeName=a%00b']) {
      const answer = await inject({ method: 'GET', url, headers: READ });
      expect(answer.statusCode).toBe(400);
      const [issue] = answer.json().issues;
      expect(issue.path).toMatch(/^query\.(searchQuery|programmeName)$/);
      expect(issue.message).toContain('NUL');
    }
  });

  it('answers 400 naming a body key that holds one', async () => {
    const answer = await inject({
      method: 'PUT',
      url: '/api/gmc/doctors/7000300',
      headers: WRITE,
      payload: { ...gmcDoctor('7000300', null), 'x\u0000': 1 },
    });
    expect(answer.statusCode).toBe(400);
    expect(answer.json().issues[0].path).toBe('body.x\u0000');
  });
});

describe('an NDJSON import that repeats an id (issue 16, item 3)', () => {
  it('records every line in order, each with its own version and change', async () => {
    const lines = [
      { ...gmcDoctor('7000310', null), doctorFirstName: 'One' },
      { ...gmcDoctor('7000311', null) },
      { ...gmcDoctor('7000310', null), doctorFirstName: 'Two' },
      { ...gmcDoctor('7000310', null), doctorFirstName: 'Three' },
    ];
    const answer = await inject({
      method: 'POST',
      url: '/api/gmc/doctors',
      headers: { ...WRITE, 'content-type': 'application/x-ndjson' },
      payload: ndjson(lines),
    });
    expect(answer.json()).toMatchObject({ received: 4, accepted: 4, rejected: 0 });
    expect(await changesOf('gmc-doctor', '7000310')).toEqual([
      { object_version: '1', change_type: 'CREATE' },
      { object_version: '2', change_type: 'UPDATE' },
      { object_version: '3', change_type: 'UPDATE' },
    ]);
    const saved = await service()
      .db.selectFrom('reval_gmc_doctor')
      .select('doctor_first_name')
      .where('gmc_reference_number', '=', '7000310')
      .executeTakeFirstOrThrow();
    expect(saved.doctor_first_name).toBe('Three');
  });
});

describe('the documented status in the one error shape (issue 16, item 4)', () => {
  it('answers 415 for a text/plain write', async () => {
    const answer = await inject({
      method: 'PUT',
      url: '/api/recommendations/r1',
      headers: { ...WRITE, 'content-type': 'text/plain' },
      payload: 'hello',
    });
    expect(answer.statusCode).toBe(415);
    expect(answer.json()).toMatchObject({ error: 'Unsupported Media Type', message: expect.stringContaining('send') });
  });

  it('answers 414 for an over-long path parameter, without echoing the URL', async () => {
    const id = 'a'.repeat(5000);
    const answer = await inject({ method: 'PUT', url: `/api/recommendations/${id}`, headers: WRITE, payload: {} });
    expect(answer.statusCode).toBe(414);
    const body = answer.json();
    expect(Object.keys(body).sort()).toEqual(['error', 'message']);
    expect(body.error).toBe('URI Too Long');
    expect(answer.body).not.toContain('aaaaaaaaaa');
  });

  it('accepts a DELETE that declares a JSON body and sends none', async () => {
    await inject({
      method: 'PUT',
      url: '/api/gmc/doctors/7000320',
      headers: WRITE,
      payload: gmcDoctor('7000320', null),
    });
    const answer = await inject({
      method: 'DELETE',
      url: '/api/gmc/doctors/7000320',
      headers: { ...WRITE, 'content-type': 'application/json' },
    });
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toMatchObject({ changeType: 'DELETE' });
  });
});

describe('GMC numbers and ids by the domain rules (issue 16, item 5)', () => {
  const hostile = ["1' OR '1'='1", 'A\u202e123', '../../etc', 'n/a', '700 0001'];

  it.each(hostile)('refuses %j as a GMC doctor, a recommendation and a connection failure', async (value) => {
    const encoded = encodeURIComponent(value);
    const writes = [
      { url: `/api/gmc/doctors/${encoded}`, payload: { doctorFirstName: 'A' }, path: 'params.gmcReferenceNumber' },
      {
        url: '/api/recommendations/rec-400',
        payload: { gmcReferenceNumber: value },
        path: 'body.gmcReferenceNumber',
      },
      { url: `/api/connection-failures/${encoded}`, payload: { reason: 'x' }, path: 'params.gmcReferenceNumber' },
      { url: `/api/recommendations/${encoded}`, payload: { gmcReferenceNumber: '7000330' }, path: 'params.id' },
    ];
    for (const write of writes) {
      const answer = await inject({ method: 'PUT', url: write.url, headers: WRITE, payload: write.payload });
      expect(answer.statusCode, write.url).toBe(400);
      expect(answer.json().issues.map((issue: { path: string }) => issue.path)).toContain(write.path);
    }
  });

  it('refuses a GMC number with a non-breaking space at either end, which a trim would hide', async () => {
    for (const value of ['\u00a07000340', '7000340\u00a0']) {
      const answer = await inject({
        method: 'PUT',
        url: `/api/gmc/doctors/${encodeURIComponent(value)}`,
        headers: WRITE,
        payload: { doctorFirstName: 'A' },
      });
      expect(answer.statusCode).toBe(400);
      expect(answer.json().issues[0].message).toContain('not a GMC number');
    }
  });

  it('refuses the same values line by line in an import', async () => {
    const answer = await inject({
      method: 'POST',
      url: '/api/recommendations',
      headers: { ...WRITE, 'content-type': 'application/x-ndjson' },
      payload: ndjson([
        { id: '../../etc', gmcReferenceNumber: '7000350' },
        { id: 'rec-350', gmcReferenceNumber: '7000350\u00a0' },
        { id: 'rec-351', gmcReferenceNumber: '7000351' },
      ]),
    });
    expect(answer.json()).toMatchObject({ received: 3, accepted: 1, rejected: 2 });
  });

  it('keeps a trainee whose GMC number has a non-breaking space, as given: it is not a GMC number', async () => {
    const answer = await inject({
      method: 'PUT',
      url: '/api/tcs/trainees/360',
      headers: WRITE,
      payload: trainee(360, '\u00a07000360'),
    });
    expect(answer.statusCode).toBe(201);
    const saved = await service()
      .db.selectFrom('reval_trainee')
      .select('gmc_reference_number')
      .where('tcs_person_id', '=', '360')
      .executeTakeFirstOrThrow();
    expect(saved.gmc_reference_number).toBe('\u00a07000360');
  });
});
