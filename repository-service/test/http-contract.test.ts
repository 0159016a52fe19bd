import type { InjectOptions } from 'fastify';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { gmcDoctor, ndjson, READ, READ_TOKEN, trainee, useTestService, WRITE } from './support.js';

const service = useTestService('contract', { BULK_BATCH_SIZE: '2', BULK_MAX_BYTES: '4096' });

function inject(options: InjectOptions) {
  return service().app.inject(options);
}

describe('authentication', () => {
  it('answers 401 with a Bearer challenge when the token is missing', async () => {
    const answer = await inject({ method: 'PUT', url: '/api/tcs/trainees/1', payload: trainee(1, '7000001') });
    expect(answer.statusCode).toBe(401);
    expect(answer.headers['www-authenticate']).toMatch(/^Bearer realm=/);
    expect(answer.json()).toMatchObject({
      error: 'Unauthorized',
      message: expect.stringContaining('Authorization: Bearer'),
    });
    const rows = await service().db.selectFrom('reval_trainee').selectAll().execute();
    expect(rows).toEqual([]);
  });

  it('answers 401 for an unknown token, on read and write routes alike', async () => {
    for (const [method, url] of [
      ['GET', '/api/v1/doctors'],
      ['DELETE', '/api/gmc/doctors/7000001'],
    ] as const) {
      const answer = await inject({ method, url, headers: { authorization: `Bearer ${READ_TOKEN}x` } });
      expect(answer.statusCode).toBe(401);
      expect(answer.headers['www-authenticate']).toContain('error="invalid_token"');
    }
    const notBearer = await inject({
      method: 'GET',
      url: '/api/v1/doctors',
      headers: { authorization: `Basic ${READ_TOKEN}` },
    });
    expect(notBearer.statusCode).toBe(401);
  });

  it('answers 403 for the read token on a write route, and lets both tokens read', async () => {
    const write = await inject({
      method: 'PUT',
      url: '/api/tcs/trainees/1',
      headers: READ,
      payload: trainee(1, '7000001'),
    });
    expect(write.statusCode).toBe(403);
    expect(write.headers['www-authenticate']).toContain('error="insufficient_scope"');
    expect(write.json().message).toContain('WRITE_TOKEN');
    const imported = await inject({
      method: 'POST',
      url: '/api/tcs/trainees',
      headers: { ...READ, 'content-type': 'application/x-ndjson' },
      payload: ndjson([trainee(2, '7000002')]),
    });
    expect(imported.statusCode).toBe(403);
    expect(await service().db.selectFrom('reval_trainee').selectAll().execute()).toEqual([]);
    for (const headers of [READ, WRITE]) {
      const read = await inject({ method: 'GET', url: '/api/connection/connected', headers });
      expect(read.statusCode).toBe(200);
    }
  });

  it('serves /health and /docs/json without a token', async () => {
    expect((await inject({ method: 'GET', url: '/health' })).json()).toEqual({ status: 'ok' });
    expect((await inject({ method: 'GET', url: '/docs/json' })).statusCode).toBe(200);
  });
});

describe('validation', () => {
  it('answers 400 naming each bad field of a body', async () => {
    const body = {
      ...trainee(5, '7000005'),
      programmeMemberships: [{ programmeName: '', startDate: '2026-02-30', curricula: [] }],
      placements: 'none',
    };
    const answer = await inject({ method: 'PUT', url: '/api/tcs/trainees/5', headers: WRITE, payload: body });
    expect(answer.statusCode).toBe(400);
    const json = answer.json();
    expect(json.error).toBe('Bad Request');
    expect(json.issues).toEqual(
      expect.arrayContaining([
        { path: 'body.programmeMemberships.0.programmeName', message: expect.any(String) },
        { path: 'body.programmeMemberships.0.startDate', message: 'is not a calendar date' },
        { path: 'body.placements', message: expect.any(String) },
      ]),
    );
    expect(json.message).toContain('body.programmeMemberships.0.startDate');
  });

  it('answers 400 for a path id that is not one, and for a body id that differs from the path', async () => {
    const badPath = await inject({
      method: 'PUT',
      url: '/api/tcs/trainees/abc',
      headers: WRITE,
      payload: trainee(1, '7000001'),
    });
    expect(badPath.statusCode).toBe(400);
    expect(badPath.json().issues).toEqual([{ path: 'params.tcsPersonId', message: 'must be a positive whole number' }]);
    const mismatch = await inject({
      method: 'PUT',
      url: '/api/tcs/trainees/6',
      headers: WRITE,
      payload: trainee(7, '7000007'),
    });
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.json().issues).toEqual([
      { path: 'body.tcsPersonId', message: expect.stringContaining('must equal the path') },
    ]);
    expect(await service().db.selectFrom('reval_trainee').selectAll().execute()).toEqual([]);
  });

  it('fills the id from the path when the body leaves it out', async () => {
    const { gmcReferenceNumber: _left, ...body } = gmcDoctor('7000010', '1-1RSSQ6R');
    const answer = await inject({ method: 'PUT', url: '/api/gmc/doctors/7000010', headers: WRITE, payload: body });
    expect(answer.statusCode).toBe(201);
    expect(answer.json()).toMatchObject({
      objectType: 'gmc-doctor',
      objectId: '7000010',
      version: 1,
      changeType: 'CREATE',
    });
  });

  it('answers 400 for a NUL character, which Postgres cannot store, naming the field', async () => {
    const answer = await inject({
      method: 'PUT',
      url: '/api/tcs/trainees/8',
      headers: WRITE,
      payload: { ...trainee(8, '7000008'), firstName: 'Ann\u0000' },
    });
    expect(answer.statusCode).toBe(400);
    expect(answer.json().issues).toEqual([{ path: 'body.firstName', message: expect.stringContaining('NUL') }]);
  });

  it('answers 400 for a query parameter it refuses, naming it', async () => {
    const answer = await inject({
      method: 'GET',
      url: '/api/v1/doctors?sortColumn=password&pageNumber=-1',
      headers: READ,
    });
    expect(answer.statusCode).toBe(400);
    const paths = answer.json().issues.map((issue: { path: string }) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(['query.sortColumn', 'query.pageNumber']));
  });

  it('pages by cursor, and answers 400 naming the cursor for a bad one or one of another sort', async () => {
    const { indexDb, indexSchema } = service();
    await sql`
      insert into ${sql.id(indexSchema, 'recommendation')}
        (gmc_reference_number, doctor_last_name, exists_in_gmc, tis_status, connection_status)
      select 'C' || lpad(g::text, 3, '0'), 'Cursor', true, 'NOT_STARTED', 'Yes' from generate_series(1, 25) g`.execute(
      indexDb,
    );
    const first = await inject({ method: 'GET', url: '/api/v1/doctors?searchQuery=cursor', headers: READ });
    const { nextCursor } = first.json();
    expect(nextCursor).toEqual(expect.any(String));
    const second = await inject({
      method: 'GET',
      url: `/api/v1/doctors?searchQuery=cursor&cursor=${encodeURIComponent(nextCursor)}`,
      headers: READ,
    });
    expect(second.statusCode).toBe(200);
    expect(second.json()).toMatchObject({ totalResults: 25, nextCursor: null, previousCursor: expect.any(String) });
    expect(second.json().records).toHaveLength(5);

    const garbage = await inject({ method: 'GET', url: '/api/v1/doctors?cursor=not-a-cursor', headers: READ });
    expect(garbage.statusCode).toBe(400);
    expect(garbage.json().issues).toEqual([
      { path: 'query.cursor', message: expect.stringContaining('is not a cursor this service issued') },
    ]);
    const otherSort = await inject({
      method: 'GET',
      url: `/api/v1/doctors?searchQuery=cursor&sortOrder=asc&cursor=${encodeURIComponent(nextCursor)}`,
      headers: READ,
    });
    expect(otherSort.statusCode).toBe(400);
    expect(otherSort.json().issues).toEqual([
      {
        path: 'query.cursor',
        message: expect.stringContaining('was issued for sortColumn=submissionDate&sortOrder=desc'),
      },
    ]);
    const otherList = await inject({
      method: 'GET',
      url: `/api/connection/connected?sortColumn=submissionDate&cursor=${encodeURIComponent(nextCursor)}`,
      headers: READ,
    });
    expect(otherList.statusCode).toBe(400);
    expect(otherList.json().issues).toEqual([
      { path: 'query.cursor', message: expect.stringContaining('another list or other filters') },
    ]);
  });

  it('answers 400 for a body that is not JSON, and for an empty one', async () => {
    const broken = await inject({
      method: 'PUT',
      url: '/api/recommendations/r1',
      headers: { ...WRITE, 'content-type': 'application/json' },
      payload: '{"gmcReferenceNumber":',
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().message).toMatch(/^the body is not valid JSON/);
    const empty = await inject({
      method: 'PUT',
      url: '/api/recommendations/r1',
      headers: { ...WRITE, 'content-type': 'application/json' },
      payload: '',
    });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().message).toContain('the body is empty');
  });

  it('answers 415 for a write that is not JSON', async () => {
    const answer = await inject({
      method: 'PUT',
      url: '/api/recommendations/r1',
      headers: { ...WRITE, 'content-type': 'text/csv' },
      payload: 'a,b',
    });
    expect(answer.statusCode).toBe(415);
    expect(answer.json().message).toContain('send application/json');
  });
});

describe('not found', () => {
  it('answers 404 JSON for an unknown route', async () => {
    const answer = await inject({ method: 'GET', url: '/api/nothing?x=1', headers: READ });
    expect(answer.statusCode).toBe(404);
    expect(answer.json()).toEqual({
      error: 'Not Found',
      message: 'no route GET /api/nothing: GET /docs/json lists every route',
    });
  });

  it('answers 404 listing the connection indexes for an unknown one', async () => {
    const answer = await inject({ method: 'GET', url: '/api/connection/everyone', headers: READ });
    expect(answer.statusCode).toBe(404);
    expect(answer.json().message).toBe(
      'there is no connection index "everyone": use one of connected, disconnected, exception, discrepancies',
    );
  });

  it('answers 404 for deleting what does not exist, or no longer does', async () => {
    const never = await inject({ method: 'DELETE', url: '/api/recommendations/never-written', headers: WRITE });
    expect(never.statusCode).toBe(404);
    expect(never.json().message).toContain('no recommendation "never-written" to delete');
    await inject({ method: 'PUT', url: '/api/connection-failures/7000020', headers: WRITE, payload: { reason: 'x' } });
    expect(
      (await inject({ method: 'DELETE', url: '/api/connection-failures/7000020', headers: WRITE })).statusCode,
    ).toBe(200);
    expect(
      (await inject({ method: 'DELETE', url: '/api/connection-failures/7000020', headers: WRITE })).statusCode,
    ).toBe(404);
  });
});

describe('NDJSON imports', () => {
  const post = (url: string, payload: string, contentType = 'application/x-ndjson') =>
    inject({ method: 'POST', url, headers: { ...WRITE, 'content-type': contentType }, payload });

  it('commits the good lines and reports each bad one with its line number and reason', async () => {
    const body = [
      JSON.stringify(trainee(101, '7000101')),
      '',
      '{"tcsPersonId": 102, "gmcReferenceNumber": ',
      JSON.stringify({
        ...trainee(103, '7000103'),
        programmeMemberships: [{ programmeName: 'X', endDate: '2026-13-01' }],
      }),
      JSON.stringify(trainee(104, '7000104')),
      '[1, 2]',
      JSON.stringify(trainee(105, '7000105')),
      JSON.stringify({ ...trainee(106, '7000106'), tcsPersonId: -1 }),
    ].join('\r\n');
    const answer = await post('/api/tcs/trainees', body);
    expect(answer.statusCode).toBe(200);
    const result = answer.json();
    expect(result).toMatchObject({ received: 7, accepted: 3, rejected: 4 });
    expect(result.errors).toEqual([
      { line: 3, reason: expect.stringMatching(/^not valid JSON/) },
      { line: 4, reason: expect.stringContaining('programmeMemberships.0.endDate: is not a calendar date') },
      { line: 6, reason: expect.stringContaining('(line): ') },
      { line: 8, reason: expect.stringContaining('tcsPersonId: ') },
    ]);
    const saved = await service()
      .db.selectFrom('reval_trainee')
      .select('tcs_person_id')
      .where('tcs_person_id', 'in', ['101', '102', '103', '104', '105', '106'])
      .orderBy('tcs_person_id')
      .execute();
    expect(saved.map((row) => Number(row.tcs_person_id))).toEqual([101, 104, 105]);
  });

  it('answers 400 for an empty body or one of blank lines only', async () => {
    for (const payload of ['', '\n\n  \n']) {
      const answer = await post('/api/gmc/doctors', payload);
      expect(answer.statusCode).toBe(400);
      expect(answer.json().message).toContain('the body has no lines');
    }
  });

  it('answers 415 for any content type but application/x-ndjson', async () => {
    const answer = await post('/api/recommendations', JSON.stringify([]), 'application/json');
    expect(answer.statusCode).toBe(415);
    expect(answer.json().message).toBe(
      'unsupported content type "application/json": send application/x-ndjson (one JSON object per line)',
    );
  });

  it('answers 413 at once for a declared length past BULK_MAX_BYTES, importing nothing', async () => {
    const records = Array.from({ length: 40 }, (_, i) => gmcDoctor(`71${String(i).padStart(5, '0')}`, null));
    const answer = await post('/api/gmc/doctors', ndjson(records));
    expect(answer.statusCode).toBe(413);
    expect(answer.json().message).toContain('nothing was imported');
    const saved = await service()
      .db.selectFrom('reval_gmc_doctor')
      .select('gmc_reference_number')
      .where('gmc_reference_number', 'like', '71%')
      .execute();
    expect(saved).toEqual([]);
  });
});

describe('OpenAPI', () => {
  it('describes every route, its bodies, answers and the bearer scheme at /docs/json', async () => {
    const doc = (await inject({ method: 'GET', url: '/docs/json' })).json();
    expect(doc.components.securitySchemes).toEqual({
      bearerAuth: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    });
    const operations = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations.sort()).toEqual(
      [
        'GET /health',
        'PUT /api/tcs/trainees/{tcsPersonId}',
        'DELETE /api/tcs/trainees/{tcsPersonId}',
        'PUT /api/gmc/doctors/{gmcReferenceNumber}',
        'DELETE /api/gmc/doctors/{gmcReferenceNumber}',
        'PUT /api/recommendations/{id}',
        'DELETE /api/recommendations/{id}',
        'PUT /api/connection-failures/{gmcReferenceNumber}',
        'DELETE /api/connection-failures/{gmcReferenceNumber}',
        'POST /api/tcs/trainees',
        'POST /api/gmc/doctors',
        'POST /api/recommendations',
        'GET /api/v1/doctors',
        'GET /api/connection/connected',
        'GET /api/connection/disconnected',
        'GET /api/connection/exception',
        'GET /api/connection/discrepancies',
        'POST /api/sync',
        'GET /api/sync/{id}',
      ].sort(),
    );
    const put = doc.paths['/api/tcs/trainees/{tcsPersonId}'].put;
    expect(put.security).toEqual([{ bearerAuth: [] }]);
    expect(put.requestBody.content['application/json'].schema.properties).toHaveProperty('programmeMemberships');
    expect(Object.keys(put.responses)).toEqual(expect.arrayContaining(['200', '201', '400', '401', '403']));
    const post = doc.paths['/api/gmc/doctors'].post;
    expect(post.requestBody.content['application/x-ndjson'].schema.properties).toHaveProperty('existsInGmc');
    expect(post.responses['200'].content['application/json'].schema.properties).toHaveProperty('errors');
    const query = doc.paths['/api/v1/doctors'].get;
    expect(query.parameters.map((parameter: { name: string }) => parameter.name)).toEqual(
      expect.arrayContaining(['sortColumn', 'sortOrder', 'pageNumber', 'cursor', 'dbcs', 'searchQuery']),
    );
    expect(query.responses['200'].content['application/json'].schema.properties).toHaveProperty('nextCursor');
  });
});
