import { beforeEach, describe, expect, it } from 'vitest';
import {
  createRevalQueries,
  InvalidQueryParamsError,
  type MasterDocument,
  RECOMMENDATION_SORT_COLUMNS,
  type RecommendationSearchParams,
} from '../../src/index.js';
import {
  clearIndexes,
  expectedOrder,
  gmcNumbers,
  insertDocuments,
  masterDocument,
  useTestIndexStore,
} from './fixtures.js';

const store = useTestIndexStore('recommendation_queries');

function search(params: RecommendationSearchParams = {}) {
  return createRevalQueries(store().db, store().schema).searchRecommendations(params);
}

beforeEach(() => clearIndexes(store()));

/** Doctors in three designated bodies with every field varied; two are no longer in the GMC. */
function variedDoctors(): MasterDocument[] {
  return [
    masterDocument({
      gmcReferenceNumber: '1000001',
      doctorFirstName: 'Amir',
      doctorLastName: 'Khan',
      submissionDate: '2027-03-01',
      designatedBody: '1-AAA',
      underNotice: 'YES',
      programmeName: 'General Practice',
      gmcStatus: 'Approved',
      tisStatus: 'COMPLETED',
      admin: 'Officer.One@example.org',
    }),
    masterDocument({
      gmcReferenceNumber: '1000002',
      doctorFirstName: 'Beth',
      doctorLastName: 'Jones',
      submissionDate: '2027-01-15',
      designatedBody: '1-AAA',
      underNotice: 'ON_HOLD',
      programmeName: 'Core Surgical Training',
      gmcStatus: 'Under Review',
      tisStatus: 'SUBMITTED_TO_GMC',
      admin: 'officer.two@example.org',
    }),
    masterDocument({
      gmcReferenceNumber: '2000003',
      doctorFirstName: 'Carl',
      doctorLastName: 'Smith',
      submissionDate: '2026-11-30',
      designatedBody: '1-BBB',
      underNotice: 'YES',
      programmeName: 'Internal Medicine Training | General Practice',
      gmcStatus: null,
      tisStatus: 'DRAFT',
    }),
    masterDocument({
      gmcReferenceNumber: '2000004',
      doctorFirstName: 'Dana',
      doctorLastName: 'Smithson',
      submissionDate: '2028-05-05',
      designatedBody: '1-BBB',
      underNotice: 'NO',
      programmeName: 'Paediatrics',
      gmcStatus: 'Rejected',
      tisStatus: 'NOT_STARTED',
    }),
    masterDocument({
      gmcReferenceNumber: '3000005',
      doctorFirstName: 'Eve',
      doctorLastName: 'Adams',
      submissionDate: null,
      designatedBody: '1-CCC',
      underNotice: 'YES',
      programmeName: null,
      tisStatus: 'DRAFT',
    }),
    // No longer in the GMC: never listed, never counted.
    masterDocument({
      gmcReferenceNumber: '1000006',
      doctorFirstName: 'Amy',
      doctorLastName: 'Khan',
      designatedBody: '1-AAA',
      underNotice: 'YES',
      existsInGmc: false,
    }),
    masterDocument({
      gmcReferenceNumber: '2000007',
      doctorFirstName: 'Sam',
      doctorLastName: 'Smith',
      designatedBody: null,
      connectionStatus: 'No',
      underNotice: null,
      existsInGmc: false,
    }),
  ];
}

const listed = (documents: MasterDocument[]) => documents.filter((d) => d.existsInGmc);

describe('searchRecommendations', () => {
  it('lists only doctors in the GMC, latest submission first (a missing one counting as latest), as whole documents', async () => {
    const documents = variedDoctors();
    await insertDocuments(store(), 'recommendation', documents);
    const result = await search();
    expect(gmcNumbers(result.records)).toEqual(['3000005', '2000004', '1000001', '1000002', '2000003']);
    expect(result.records[2]).toEqual(documents[0]);
    expect(result).toMatchObject({ totalResults: 5, totalPages: 1, countTotal: 5, countUnderNotice: 3 });
  });

  it('reads the recommendation index, not the others', async () => {
    await insertDocuments(store(), 'master', [masterDocument({ gmcReferenceNumber: '9000001' })]);
    await insertDocuments(store(), 'connected', [masterDocument({ gmcReferenceNumber: '9000002' })]);
    await insertDocuments(store(), 'recommendation', [masterDocument({ gmcReferenceNumber: '9000003' })]);
    expect(gmcNumbers((await search()).records)).toEqual(['9000003']);
  });

  for (const column of RECOMMENDATION_SORT_COLUMNS) {
    for (const order of ['asc', 'desc'] as const) {
      it(`sorts by ${column} ${order}, missing values as the largest, then last name and GMC number ascending`, async () => {
        const documents = variedDoctors();
        await insertDocuments(store(), 'recommendation', documents);
        const result = await search({ sortColumn: column, sortOrder: order });
        expect(gmcNumbers(result.records)).toEqual(
          expectedOrder(listed(documents), column, order, ['doctorLastName', 'gmcReferenceNumber']),
        );
      });
    }
  }

  it('sorts descending for any sortOrder but asc, in any case', async () => {
    await insertDocuments(store(), 'recommendation', variedDoctors());
    const descending = gmcNumbers((await search({ sortColumn: 'gmcReferenceNumber' })).records);
    expect(descending).toEqual(['3000005', '2000004', '2000003', '1000002', '1000001']);
    expect(gmcNumbers((await search({ sortColumn: 'gmcReferenceNumber', sortOrder: 'upwards' })).records)).toEqual(
      descending,
    );
    expect(gmcNumbers((await search({ sortColumn: 'gmcReferenceNumber', sortOrder: 'ASC' })).records)).toEqual(
      [...descending].reverse(),
    );
  });

  it('breaks ties on the sort column by last name ascending, then GMC number ascending, even sorting descending', async () => {
    const sameDay = { submissionDate: '2027-06-01' };
    await insertDocuments(store(), 'recommendation', [
      masterDocument({ gmcReferenceNumber: '5', doctorLastName: 'Young', ...sameDay }),
      masterDocument({ gmcReferenceNumber: '4', doctorLastName: 'Brown', ...sameDay }),
      masterDocument({ gmcReferenceNumber: '3', doctorLastName: 'Young', ...sameDay }),
      masterDocument({ gmcReferenceNumber: '2', doctorLastName: 'Brown', ...sameDay }),
      masterDocument({ gmcReferenceNumber: '1', doctorLastName: 'Adams', submissionDate: '2027-06-02' }),
    ]);
    expect(gmcNumbers((await search({ sortOrder: 'desc' })).records)).toEqual(['1', '2', '4', '3', '5']);
    expect(gmcNumbers((await search({ sortOrder: 'asc' })).records)).toEqual(['2', '4', '3', '5', '1']);
  });

  describe('paging', () => {
    // 45 doctors, all submitted the same day with three last names: the order rests on the tie-breaks.
    const doctors = Array.from({ length: 45 }, (_, i) =>
      masterDocument({
        gmcReferenceNumber: String(4_000_000 + i),
        doctorLastName: ['Patel', 'Evans', 'Wood'][i % 3],
        submissionDate: '2027-02-02',
      }),
    );

    it('pages by 20 from page 0, the last page holding the rest, each doctor on exactly one page', async () => {
      await insertDocuments(store(), 'recommendation', doctors);
      const pages = await Promise.all([0, 1, 2].map((pageNumber) => search({ pageNumber })));
      expect(pages.map((page) => page.records.length)).toEqual([20, 20, 5]);
      for (const page of pages) expect(page).toMatchObject({ totalResults: 45, totalPages: 3 });
      const seen = pages.flatMap((page) => gmcNumbers(page.records));
      expect(seen).toEqual(expectedOrder(doctors, 'submissionDate', 'desc', ['doctorLastName', 'gmcReferenceNumber']));
      expect(new Set(seen).size).toBe(45);
    });

    it('answers a page beyond the last with no records but the same totals', async () => {
      await insertDocuments(store(), 'recommendation', doctors);
      const beyond = await search({ pageNumber: '3' });
      expect(beyond).toMatchObject({ totalResults: 45, totalPages: 3, countTotal: 45, records: [] });
    });

    it('answers an empty index with zero pages', async () => {
      expect(await search()).toEqual({
        totalResults: 0,
        totalPages: 0,
        countTotal: 0,
        countUnderNotice: 0,
        records: [],
        nextCursor: null,
        previousCursor: null,
      });
    });
  });

  describe('filters', () => {
    beforeEach(() => insertDocuments(store(), 'recommendation', variedDoctors()));

    const cases: Array<[string, RecommendationSearchParams, string[]]> = [
      ['underNotice=true keeps YES only (not ON_HOLD)', { underNotice: 'true' }, ['1000001', '2000003', '3000005']],
      [
        'underNotice=false keeps everyone',
        { underNotice: 'false' },
        ['1000001', '1000002', '2000003', '2000004', '3000005'],
      ],
      ['dbcs keeps the listed designated bodies', { dbcs: '1-AAA,1-CCC' }, ['1000001', '1000002', '3000005']],
      ['dbcs may be repeated', { dbcs: ['1-BBB', '1-CCC'] }, ['2000003', '2000004', '3000005']],
      [
        'programmeName is a case-insensitive phrase anywhere',
        { programmeName: 'general PRACTICE' },
        ['1000001', '2000003'],
      ],
      ['gmcStatus keeps any of the listed outcomes', { gmcStatus: 'Approved,under review' }, ['1000001', '1000002']],
      ['tisStatus keeps any of the listed statuses', { tisStatus: 'DRAFT' }, ['2000003', '3000005']],
      ['admin matches case-insensitively', { admin: 'officer.one@EXAMPLE.org' }, ['1000001']],
      ['searchQuery is a prefix of the last name', { searchQuery: 'smith' }, ['2000003', '2000004']],
      ['searchQuery is a prefix of the first name', { searchQuery: 'BE' }, ['1000002']],
      ['searchQuery is a prefix of the GMC number', { searchQuery: '2000' }, ['2000003', '2000004']],
      ['searchQuery does not match inside a name', { searchQuery: 'mith' }, []],
      ['searchQuery does not match doctors out of the GMC', { searchQuery: 'amy' }, []],
      [
        'filters combine',
        { dbcs: '1-AAA,1-BBB', underNotice: 'true', tisStatus: 'DRAFT,COMPLETED', searchQuery: 'c' },
        ['2000003'],
      ],
    ];
    for (const [name, params, expected] of cases) {
      it(name, async () => {
        const result = await search({ sortColumn: 'gmcReferenceNumber', sortOrder: 'asc', ...params });
        expect(gmcNumbers(result.records)).toEqual(expected);
        expect(result.totalResults).toBe(expected.length);
      });
    }
  });

  describe('counts', () => {
    beforeEach(() => insertDocuments(store(), 'recommendation', variedDoctors()));

    it('counts the doctors of the selected designated bodies, before the other filters', async () => {
      const result = await search({ dbcs: '1-AAA', searchQuery: 'jones', tisStatus: 'SUBMITTED_TO_GMC' });
      expect(gmcNumbers(result.records)).toEqual(['1000002']);
      // 1-AAA holds 1000001 (YES), 1000002 (ON_HOLD) and 1000006 (YES, but out of the GMC).
      expect(result).toMatchObject({ totalResults: 1, countTotal: 2, countUnderNotice: 1 });
    });

    it('counts every designated body when none is selected', async () => {
      expect(await search({ underNotice: 'true' })).toMatchObject({
        totalResults: 3,
        countTotal: 5,
        countUnderNotice: 3,
      });
    });

    it('takes totalResults from the counts when only the designated bodies and underNotice filter', async () => {
      expect(await search({ dbcs: '1-BBB', underNotice: 'true' })).toMatchObject({
        totalResults: 1,
        totalPages: 1,
        countTotal: 2,
        countUnderNotice: 1,
      });
    });
  });

  describe('LIKE metacharacters are literal', () => {
    beforeEach(() =>
      insertDocuments(store(), 'recommendation', [
        masterDocument({ gmcReferenceNumber: '1', doctorLastName: '%Percent', programmeName: '100% Medicine' }),
        masterDocument({ gmcReferenceNumber: '2', doctorLastName: '_Under', programmeName: 'A_B Programme' }),
        masterDocument({ gmcReferenceNumber: '3', doctorLastName: 'Back\\slash', programmeName: 'C\\D' }),
        masterDocument({ gmcReferenceNumber: '4', doctorLastName: 'Ordinary', programmeName: 'AXB 100 Medicine' }),
      ]),
    );

    const cases: Array<[string, RecommendationSearchParams, string[]]> = [
      ['% in searchQuery', { searchQuery: '%' }, ['1']],
      ['_ in searchQuery', { searchQuery: '_' }, ['2']],
      ['\\ in searchQuery', { searchQuery: 'back\\' }, ['3']],
      ['% in the middle of searchQuery', { searchQuery: 'O%y' }, []],
      ['% in programmeName', { programmeName: '100%' }, ['1']],
      ['_ in programmeName', { programmeName: 'a_b' }, ['2']],
      ['\\ in programmeName', { programmeName: 'c\\d' }, ['3']],
    ];
    for (const [name, params, expected] of cases) {
      it(name, async () => {
        const result = await search({ sortColumn: 'gmcReferenceNumber', sortOrder: 'asc', ...params });
        expect(gmcNumbers(result.records)).toEqual(expected);
      });
    }
  });

  describe('bad parameters', () => {
    const cases: Array<[RecommendationSearchParams, string, RegExp]> = [
      [
        { sortColumn: 'programmeName' },
        'sortColumn',
        /submissionDate, doctorFirstName, doctorLastName, gmcReferenceNumber/,
      ],
      [{ pageNumber: '-1' }, 'pageNumber', /whole number/],
      [{ pageNumber: 'two' }, 'pageNumber', /whole number/],
      [{ pageNumber: '1.5' }, 'pageNumber', /whole number/],
      [{ underNotice: 'maybe' }, 'underNotice', /true or false/],
      [{ tisStatus: 'DRAFT,FINISHED' }, 'tisStatus', /item 1: must be one of: NOT_STARTED/],
      [{ gmcStatus: 'Pending' }, 'gmcStatus', /Approved, Rejected, Under Review/],
      [{ dbcs: '1-AAA,1 AAA' }, 'dbcs', /designated body code/],
      [{ searchQuery: 'x'.repeat(201) }, 'searchQuery', /at most 200/],
    ];
    for (const [params, field, reason] of cases) {
      it(`refuses ${JSON.stringify(params).slice(0, 60)}, naming ${field}`, async () => {
        const error = await search(params).catch((err: unknown) => err);
        expect(error).toBeInstanceOf(InvalidQueryParamsError);
        const issues = error instanceof InvalidQueryParamsError ? error.issues : [];
        expect(issues).toHaveLength(1);
        expect(issues[0]?.field).toBe(field);
        expect(issues[0]?.reason).toMatch(reason);
        expect(error instanceof Error ? error.message : '').toContain(field);
      });
    }

    it('reports every bad parameter at once', async () => {
      const error = await search({ sortColumn: 'x', pageNumber: 'y', underNotice: 'z' }).catch((err: unknown) => err);
      const issues = error instanceof InvalidQueryParamsError ? error.issues : [];
      expect(issues.map((issue) => issue.field)).toEqual(['sortColumn', 'pageNumber', 'underNotice']);
    });
  });
});
