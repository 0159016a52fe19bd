import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  CONNECTION_SORT_COLUMNS,
  type ConnectionSearchParams,
  type ConnectionSearchResult,
  createRevalQueries,
  InvalidQueryParamsError,
  type MasterDocument,
  type RecommendationSearchParams,
  type RecommendationSearchResult,
  recommendationSearchParamsSchema,
} from '../../src/index.js';
import { parseQueryParams } from '../../src/queries/query-params.js';
import {
  clearIndexes,
  expectedOrder,
  gmcNumbers,
  insertDocuments,
  masterDocument,
  useTestIndexStore,
} from './fixtures.js';

const store = useTestIndexStore('keyset_paging');

const queries = () => createRevalQueries(store().db, store().schema);
const recommendations = (params: RecommendationSearchParams = {}) => queries().searchRecommendations(params);
const connected = (params: ConnectionSearchParams = {}) => queries().searchConnections('connected', params);

beforeEach(() => clearIndexes(store()));

/**
 * 47 documents whose sort columns tie a lot (three submission dates, four last names) and are missing
 * now and then, so pages break inside runs of equal values and across the missing ones.
 */
function tiedDocuments(count = 47): MasterDocument[] {
  return Array.from({ length: count }, (_, i) =>
    masterDocument({
      // 7919 is prime to 100,000: unique, and not in insertion order.
      gmcReferenceNumber: String(1_000_000 + ((i * 7919) % 100_000)),
      submissionDate: i % 5 === 0 ? null : `2027-0${1 + (i % 3)}-01`,
      doctorLastName: i % 11 === 0 ? null : (['Khan', 'Jones', 'Smith', 'Doe'][i % 4] ?? null),
      doctorFirstName: i % 7 === 0 ? null : (['Amir', 'Beth', 'Cara'][(i * 5) % 3] ?? null),
      membershipEndDate: i % 6 === 0 ? null : `2026-0${1 + (i % 2)}-15`,
      tcsPersonId: i % 9 === 0 ? null : ([7, 31, 100][i % 3] ?? null),
      existsInGmc: i % 4 !== 0,
      programmeName: i % 8 === 0 ? null : (['General Practice', 'Surgery'][i % 2] ?? null),
    }),
  );
}

type Page = { records: MasterDocument[]; nextCursor: string | null; previousCursor: string | null };

/** Follows `nextCursor` from the first page to the last; the pages' GMC numbers, and the last page. */
async function walkForward(fetchPage: (cursor?: string) => Promise<Page>) {
  const pages: string[][] = [];
  let page = await fetchPage();
  pages.push(gmcNumbers(page.records));
  // Bounded: the fixtures have at most a few pages.
  while (page.nextCursor !== null && pages.length < 50) {
    page = await fetchPage(page.nextCursor);
    pages.push(gmcNumbers(page.records));
  }
  return { pages, last: page };
}

/** Follows `previousCursor` from `from` to the first page; the pages' GMC numbers, nearest first. */
async function walkBack(from: Page, fetchPage: (cursor?: string) => Promise<Page>) {
  const pages: string[][] = [];
  let page = from;
  while (page.previousCursor !== null && pages.length < 50) {
    page = await fetchPage(page.previousCursor);
    pages.push(gmcNumbers(page.records));
  }
  return pages;
}

/**
 * Walks a list forwards by `nextCursor` and back by `previousCursor`, expecting the pages of 20 of
 * `documents` in the lists' order (`sortColumn`, then last name, then GMC number); the forward pages.
 */
async function expectEveryRowOnce(
  documents: readonly MasterDocument[],
  sortColumn: keyof MasterDocument,
  sortOrder: 'asc' | 'desc',
  fetchPage: (cursor?: string) => Promise<Page>,
): Promise<string[][]> {
  const tieBreaks: (keyof MasterDocument)[] =
    sortColumn === 'gmcReferenceNumber'
      ? []
      : sortColumn === 'doctorLastName'
        ? ['gmcReferenceNumber']
        : ['doctorLastName', 'gmcReferenceNumber'];
  const forward = await walkForward(fetchPage);
  expect(forward.pages).toEqual(chunks(expectedOrder(documents, sortColumn, sortOrder, tieBreaks), 20));
  expect(forward.last.nextCursor).toBeNull();
  const back = await walkBack(forward.last, fetchPage);
  expect(back).toEqual(forward.pages.slice(0, -1).reverse());
  return forward.pages;
}

function chunks(items: readonly string[], size: number): string[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}

describe('keyset paging of the recommendation list', () => {
  const columns = ['submissionDate', 'doctorFirstName', 'doctorLastName', 'gmcReferenceNumber'] as const;
  for (const sortColumn of columns) {
    for (const sortOrder of ['asc', 'desc'] as const) {
      it(`lists every row once, in order, forwards and back, by ${sortColumn} ${sortOrder}`, async () => {
        const documents = tiedDocuments();
        await insertDocuments(store(), 'recommendation', documents);
        const listed = documents.filter((d) => d.existsInGmc);
        const pages = await expectEveryRowOnce(listed, sortColumn, sortOrder, (cursor) =>
          recommendations({ sortColumn, sortOrder, cursor }),
        );
        // The offset pages are the same pages.
        for (const [pageNumber, page] of pages.entries()) {
          expect(gmcNumbers((await recommendations({ sortColumn, sortOrder, pageNumber })).records)).toEqual(page);
        }
      });
    }
  }

  it('answers the counts with every cursor page, and no cursor on a lone page', async () => {
    await insertDocuments(store(), 'recommendation', tiedDocuments(10));
    const only = await recommendations();
    expect(only).toMatchObject({ totalResults: 7, totalPages: 1, nextCursor: null, previousCursor: null });
    await insertDocuments(store(), 'recommendation', tiedDocuments(47).slice(10));
    const first = await recommendations();
    const second = await recommendations({ cursor: first.nextCursor ?? '' });
    expect(second).toMatchObject({ totalResults: 35, totalPages: 2, countTotal: 35 });
  });
});

describe('keyset paging of the connection lists', () => {
  // Every sort column the API offers; those the fixtures do not vary are ordered by the tie-breaks alone.
  for (const sortColumn of CONNECTION_SORT_COLUMNS) {
    for (const sortOrder of ['asc', 'desc'] as const) {
      it(`lists every row once, in order, forwards and back, by ${sortColumn} ${sortOrder}`, async () => {
        const documents = tiedDocuments();
        await insertDocuments(store(), 'connected', documents);
        await expectEveryRowOnce(documents, sortColumn, sortOrder, (cursor) =>
          connected({ sortColumn, sortOrder, cursor }),
        );
      });
    }
  }

  it('keeps the filters: a cursor pages within the designated bodies asked for', async () => {
    const documents = tiedDocuments().map((d, i) => ({ ...d, designatedBody: i % 2 === 0 ? '1-AAA' : '1-BBB' }));
    await insertDocuments(store(), 'connected', documents);
    const forward = await walkForward((cursor) =>
      connected({ dbcs: '1-BBB', sortColumn: 'doctorLastName', sortOrder: 'asc', cursor }),
    );
    const expected = expectedOrder(
      documents.filter((d) => d.designatedBody === '1-BBB'),
      'doctorLastName',
      'asc',
      ['gmcReferenceNumber'],
    );
    expect(forward.pages.flat()).toEqual(expected);
  });
});

describe('keyset paging while the list changes', () => {
  /** Rows that sort last under the default order (submission date descending): ahead of any position. */
  const ahead = (n: number) =>
    masterDocument({ gmcReferenceNumber: `800000${n}`, submissionDate: '2000-01-01', doctorLastName: 'Ahead' });
  /** Rows that sort first (a missing value is the largest, so first descending): behind any position. */
  const behind = (n: number) =>
    masterDocument({ gmcReferenceNumber: `900000${n}`, submissionDate: null, doctorLastName: 'Behind' });

  it('lists every unchanged row exactly once while rows are inserted, updated and deleted between pages', async () => {
    const original = tiedDocuments(100).map((d) => ({
      ...d,
      existsInGmc: true,
      submissionDate: d.submissionDate ?? '2027-02-01',
    }));
    await insertDocuments(store(), 'recommendation', original);
    const db = store().db.withSchema(store().schema);
    const expected = expectedOrder(original, 'submissionDate', 'desc', ['doctorLastName', 'gmcReferenceNumber']);
    const deleted = new Set<string>();
    const seen: string[] = [];
    let page: RecommendationSearchResult = await recommendations();
    seen.push(...gmcNumbers(page.records));
    for (let step = 0; page.nextCursor !== null && step < 20; step += 1) {
      // Between two fetches: a row inserted on each side of the position, a row updated on each side
      // (not its sort key), and a row not yet listed deleted.
      await insertDocuments(store(), 'recommendation', [ahead(step), behind(step)]);
      const notYetListed = expected.filter((gmc) => !seen.includes(gmc) && !deleted.has(gmc));
      const [updatedAhead, deletedAhead] = notYetListed;
      await db
        .updateTable('recommendation')
        .set({ under_notice: 'YES', programme_name: `updated ${step}` })
        .where('gmc_reference_number', 'in', [seen[0] ?? '', updatedAhead ?? ''])
        .execute();
      if (deletedAhead !== undefined && step % 2 === 0) {
        await db.deleteFrom('recommendation').where('gmc_reference_number', '=', deletedAhead).execute();
        deleted.add(deletedAhead);
      }
      page = await recommendations({ cursor: page.nextCursor });
      seen.push(...gmcNumbers(page.records));
      const updated = page.records.find((record) => record.gmcReferenceNumber === updatedAhead);
      if (updated) expect(updated).toMatchObject({ underNotice: 'YES', programmeName: `updated ${step}` });
    }
    expect(page.nextCursor).toBeNull();
    expect(new Set(seen).size).toBe(seen.length);
    const insertedAhead = seen.filter((gmc) => gmc.startsWith('800000'));
    expect(seen.filter((gmc) => !gmc.startsWith('800000'))).toEqual(expected.filter((gmc) => !deleted.has(gmc)));
    expect(insertedAhead.length).toBeGreaterThan(0);
    expect(seen.some((gmc) => gmc.startsWith('900000'))).toBe(false);
  });

  it('repeats a row whose sort key moves ahead of the position, and misses one that moves behind it', async () => {
    const documents = tiedDocuments(40).map((d, i) => ({
      ...d,
      existsInGmc: true,
      submissionDate: `2027-01-${String(40 - i).padStart(2, '0')}`,
      doctorLastName: 'Same',
    }));
    await insertDocuments(store(), 'recommendation', documents);
    const first = await recommendations();
    const [listedFirst] = gmcNumbers(first.records);
    const notYetListed = gmcNumbers(documents).find((gmc) => !gmcNumbers(first.records).includes(gmc));
    const db = store().db.withSchema(store().schema);
    await db
      .updateTable('recommendation')
      .set({ submission_date: '2000-01-01' })
      .where('gmc_reference_number', '=', listedFirst ?? '')
      .execute();
    await db
      .updateTable('recommendation')
      .set({ submission_date: '2099-01-01' })
      .where('gmc_reference_number', '=', notYetListed ?? '')
      .execute();
    const second = await recommendations({ cursor: first.nextCursor ?? '' });
    expect(gmcNumbers(second.records)).toContain(listedFirst);
    expect(gmcNumbers(second.records)).not.toContain(notYetListed);
    expect(second.records).toHaveLength(20);
  });

  it('where offset paging, by contrast, repeats a row when one is inserted before the page', async () => {
    await insertDocuments(
      store(),
      'recommendation',
      tiedDocuments(40).map((d) => ({ ...d, existsInGmc: true })),
    );
    const first = await recommendations();
    await insertDocuments(store(), 'recommendation', [behind(1)]);
    const byOffset = await recommendations({ pageNumber: 1 });
    const byCursor = await recommendations({ cursor: first.nextCursor ?? '' });
    expect(gmcNumbers(byOffset.records)).toContain(gmcNumbers(first.records).at(-1));
    expect(gmcNumbers(byCursor.records)).not.toContain(gmcNumbers(first.records).at(-1));
  });
});

/** `cursor` with its JSON changed by `edit` and a checksum made again, as a determined client could. */
function forge(cursor: string, edit: (json: { k: unknown[] }) => void): string {
  const [payload = ''] = cursor.split('.');
  const json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { k: unknown[] };
  edit(json);
  const forged = Buffer.from(JSON.stringify(json)).toString('base64url');
  const checksum = createHash('sha256')
    .update(`changeflow reval cursor\n${forged}`)
    .digest()
    .subarray(0, 12)
    .toString('base64url');
  return `${forged}.${checksum}`;
}

describe('refused cursors', () => {
  async function refusal(work: Promise<unknown>) {
    const err = await work.then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(err).toBeInstanceOf(InvalidQueryParamsError);
    return (err as InvalidQueryParamsError).issues;
  }

  beforeEach(() => insertDocuments(store(), 'recommendation', tiedDocuments(47)));

  it('refuses a string that is not a cursor, naming the field and why', async () => {
    for (const cursor of ['not-a-cursor', 'abc.def', `${'x'.repeat(2_001)}`, '..', 'e30.e30.e30']) {
      const parsed = parseQueryParams(recommendationSearchParamsSchema, { cursor });
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.issues.map((issue) => issue.field)).toEqual(['cursor']);
    }
    expect(await refusal(recommendations({ cursor: 'not-a-cursor' }))).toEqual([
      expect.objectContaining({
        field: 'cursor',
        reason: expect.stringContaining('is not a cursor this service issued'),
      }),
    ]);
  });

  it('refuses a cursor changed after it was issued', async () => {
    const { nextCursor } = await recommendations();
    const [payload = '', checksum = ''] = (nextCursor ?? '').split('.');
    const json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { k: string[] };
    json.k[0] = '1999-01-01';
    const edited = `${Buffer.from(JSON.stringify(json)).toString('base64url')}.${checksum}`;
    expect(await refusal(recommendations({ cursor: edited }))).toEqual([
      expect.objectContaining({ field: 'cursor', reason: expect.stringContaining('was changed after it was issued') }),
    ]);
  });

  it('refuses a cursor of another sort, other filters or another list', async () => {
    const { nextCursor } = await recommendations({ sortColumn: 'doctorLastName', sortOrder: 'asc' });
    const cursor = nextCursor ?? '';
    expect(await refusal(recommendations({ cursor }))).toEqual([
      expect.objectContaining({
        field: 'cursor',
        reason: expect.stringContaining('was issued for sortColumn=doctorLastName&sortOrder=asc'),
      }),
    ]);
    const otherFilters = recommendations({ sortColumn: 'doctorLastName', sortOrder: 'asc', dbcs: '1-AAA', cursor });
    expect(await refusal(otherFilters)).toEqual([
      expect.objectContaining({ field: 'cursor', reason: expect.stringContaining('another list or other filters') }),
    ]);
    await insertDocuments(store(), 'connected', tiedDocuments(47));
    const anotherList: Promise<ConnectionSearchResult> = connected({
      sortColumn: 'doctorLastName',
      sortOrder: 'asc',
      cursor,
    });
    expect(await refusal(anotherList)).toEqual([
      expect.objectContaining({ field: 'cursor', reason: expect.stringContaining('another list or other filters') }),
    ]);
  });

  it('refuses a page number beside a cursor', async () => {
    const { nextCursor } = await recommendations();
    expect(await refusal(recommendations({ cursor: nextCursor ?? '', pageNumber: 2 }))).toEqual([
      expect.objectContaining({
        field: 'pageNumber',
        reason: expect.stringContaining('cannot be given with a cursor'),
      }),
    ]);
  });

  it('refuses a hand-made cursor whose position does not fit its sort', async () => {
    await insertDocuments(store(), 'connected', tiedDocuments(47));
    for (const [sortColumn, value] of [
      ['existsInGmc', 'yes'],
      ['tcsPersonId', 'seven'],
      ['doctorLastName', true],
    ] as const) {
      const { nextCursor } = await connected({ sortColumn });
      const cursor = forge(nextCursor ?? '', (json) => {
        json.k[0] = value;
      });
      expect(await refusal(connected({ sortColumn, cursor }))).toEqual([
        expect.objectContaining({ field: 'cursor', reason: expect.stringContaining('does not fit its sort') }),
      ]);
    }
  });

  it('binds a cursor value only as a parameter', async () => {
    // A checksum is not a secret: a hand-made cursor with a hostile value passes it, and is only a position.
    const { nextCursor } = await recommendations({ sortColumn: 'doctorLastName', sortOrder: 'asc' });
    const cursor = forge(nextCursor ?? '', (json) => {
      json.k[0] = "'; drop table recommendation; --";
    });
    const page = await recommendations({ sortColumn: 'doctorLastName', sortOrder: 'asc', cursor });
    expect(page.records.length).toBeGreaterThan(0);
    const { rows } = await sql<{
      count: string;
    }>`select count(*) as count from ${sql.id(store().schema, 'recommendation')}`.execute(store().db);
    expect(Number(rows[0]?.count)).toBe(47);
  });
});
