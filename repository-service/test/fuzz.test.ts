import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { READ, useTestService, WRITE } from './support.js';

/**
 * A property test of the whole HTTP API, driven by its OpenAPI document: every route, path
 * parameter, query parameter and body field it lists is filled with hostile and plausible values.
 * Whatever comes in, no answer is a 5xx, and a write answered 2xx left its change in the change table.
 */

const service = useTestService('fuzz', { BULK_BATCH_SIZE: '3' });

interface Operation {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** `/api/gmc/doctors/{gmcReferenceNumber}` */
  path: string;
  pathParams: string[];
  queryParams: string[];
  bodyFields: string[];
  contentType: string | undefined;
}

let operations: Operation[] = [];

beforeAll(async () => {
  const doc = (await service().app.inject({ method: 'GET', url: '/docs/json' })).json();
  operations = Object.entries(doc.paths as Record<string, Record<string, OpenApiOperation>>).flatMap(
    ([path, methods]) =>
      Object.entries(methods)
        // Starting a full sync is not an input to fuzz: it only queues a job.
        .filter(([method]) => !(method === 'post' && path === '/api/sync'))
        .map(([method, op]) => {
          const content = op.requestBody?.content ?? {};
          const [contentType] = Object.keys(content);
          const named = (where: string) => (op.parameters ?? []).filter((p) => p.in === where).map((p) => p.name);
          return {
            method: method.toUpperCase() as Operation['method'],
            path,
            pathParams: named('path'),
            queryParams: named('query'),
            bodyFields: Object.keys(contentType ? (content[contentType]?.schema?.properties ?? {}) : {}),
            contentType,
          };
        }),
  );
});

interface OpenApiOperation {
  parameters?: Array<{ in: string; name: string }>;
  requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, unknown> } }> };
}

/** Values that look like the domain's, and values that do not. */
const plausible = fc.constantFrom(
  '7000001',
  '7000002',
  'rec-1',
  '1',
  '0',
  '-1',
  '2026-06-15',
  '2026-02-30',
  'YES',
  'NO',
  'REVALIDATE',
  'APPROVED',
  'UNDER_REVIEW',
  'READY_TO_REVIEW',
  '1-1RSSQ6R',
  'Thames Valley',
  'SUBSTANTIVE',
  'VISITOR',
  'unknown',
  'n/a',
  '\u00a07000001',
  "1' OR '1'='1",
  '../../etc',
  'A\u202e1',
  '\u0000',
  '9'.repeat(25),
);
const text = fc.oneof(plausible, fc.string({ unit: 'binary', maxLength: 40 }));
const scalar = fc.oneof(text, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
const membership = fc.record(
  {
    programmeName: text,
    membershipType: text,
    startDate: scalar,
    endDate: scalar,
    programmeOwner: text,
    curricula: fc.array(fc.record({ curriculumEndDate: scalar }), { maxLength: 2 }),
  },
  { requiredKeys: [] },
);
const fieldValue = fc.oneof(
  { weight: 6, arbitrary: scalar },
  { weight: 1, arbitrary: fc.array(membership, { maxLength: 2 }) },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }) },
);

/** A body with some of `fields`, each any value, and now and then an unknown field. */
function bodyOf(fields: readonly string[]) {
  return fc
    .tuple(fc.subarray([...fields]), fc.array(fieldValue, { minLength: fields.length, maxLength: fields.length }))
    .chain(([keys, values]) =>
      fc.option(fc.string({ maxLength: 8 }), { freq: 4 }).map((extra) => {
        const body: Record<string, unknown> = Object.fromEntries(keys.map((key, i) => [key, values[i]]));
        if (extra !== null) body[extra] = 'extra';
        return body;
      }),
    );
}

/** Percent-encodes every byte, so any string (a lone surrogate included) makes a URL. */
function percentEncode(value: string): string {
  return [...Buffer.from(value, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
}

const pathValue = fc.oneof(
  plausible.map(percentEncode),
  fc.string({ unit: 'binary', maxLength: 30 }).map(percentEncode),
  // Bytes that are not UTF-8.
  fc
    .uint8Array({ minLength: 1, maxLength: 6 })
    .map((bytes) => [...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')),
);

function requestFor(op: Operation): fc.Arbitrary<InjectOptions> {
  const path = fc
    .tuple(...op.pathParams.map(() => pathValue))
    .map((values) => op.pathParams.reduce((url, name, i) => url.replace(`{${name}}`, values[i] ?? ''), op.path));
  const query = fc
    .dictionary(
      fc.oneof(fc.constantFrom(...op.queryParams, 'x'), fc.string({ maxLength: 5 })),
      fc.oneof(text, fc.array(text, { maxLength: 3 })),
      {
        maxKeys: 4,
      },
    )
    .map((params) => {
      const pairs = Object.entries(params).flatMap(([name, value]) =>
        (Array.isArray(value) ? value : [value]).map((v) => `${percentEncode(name)}=${percentEncode(String(v))}`),
      );
      return pairs.length > 0 ? `?${pairs.join('&')}` : '';
    });
  const headers = op.method === 'GET' ? READ : WRITE;
  if (op.method === 'GET' || op.method === 'DELETE') {
    return fc.tuple(path, query, fc.boolean()).map(([url, qs, declaresJson]) => ({
      method: op.method,
      url: `${url}${qs}`,
      headers: op.method === 'DELETE' && declaresJson ? { ...headers, 'content-type': 'application/json' } : headers,
    }));
  }
  const contentType = fc.oneof(
    { weight: 8, arbitrary: fc.constant(op.contentType ?? 'application/json') },
    {
      weight: 1,
      arbitrary: fc.constantFrom('text/plain', 'application/json', 'application/x-ndjson', 'application/xml'),
    },
  );
  const body =
    op.contentType === 'application/x-ndjson'
      ? fc
          .array(
            fc.oneof(
              bodyOf(op.bodyFields).map((record) => JSON.stringify(record)),
              fc.string({ maxLength: 20 }),
            ),
            {
              maxLength: 6,
            },
          )
          .map((lines) => lines.join('\n'))
      : fc.oneof(
          { weight: 8, arbitrary: bodyOf(op.bodyFields).map((record) => JSON.stringify(record)) },
          { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
        );
  return fc.tuple(path, contentType, body).map(([url, type, payload]) => ({
    method: op.method,
    url,
    headers: { ...headers, 'content-type': type },
    payload,
  }));
}

async function changeCount(): Promise<number> {
  const { rows } = await sql<{ count: string }>`select count(*) as count from changes`.execute(service().db);
  return Number(rows[0]?.count);
}

describe('the HTTP API under arbitrary input', () => {
  it('never answers 5xx, and every write it acknowledged is in the change table', async () => {
    expect(operations.length).toBeGreaterThan(10);
    const request = fc.constantFrom(...operations).chain(requestFor);
    await fc.assert(
      fc.asyncProperty(request, async (options) => {
        const before = await changeCount();
        const answer = await service().app.inject(options);
        expect(answer.statusCode, `${options.method} ${options.url} → ${answer.body.slice(0, 300)}`).toBeLessThan(500);
        if (answer.statusCode >= 300 || options.method === 'GET') return;
        const body = answer.json();
        if (options.method === 'POST') {
          // An import: one change per accepted line, no more, no fewer.
          expect((await changeCount()) - before).toBe(body.accepted);
          return;
        }
        const change = await service()
          .db.selectFrom('changes')
          .select(['object_id', 'change_type'])
          .where('change_number', '=', body.changeNumber)
          .executeTakeFirst();
        expect(change).toEqual({ object_id: body.objectId, change_type: body.changeType });
      }),
      { numRuns: 300, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31) },
    );
  });
});
