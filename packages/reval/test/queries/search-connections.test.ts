import { beforeEach, describe, expect, it } from 'vitest';
import {
  CONNECTION_INDEXES,
  CONNECTION_SORT_COLUMNS,
  type ConnectionIndex,
  type ConnectionSearchParams,
  createRevalQueries,
  InvalidQueryParamsError,
  type MasterDocument,
} from '../../src/index.js';
import {
  clearIndexes,
  expectedOrder,
  gmcNumbers,
  insertDocuments,
  masterDocument,
  useTestIndexStore,
} from './fixtures.js';

const store = useTestIndexStore('connection_queries');

function search(index: ConnectionIndex, params: ConnectionSearchParams = {}) {
  return createRevalQueries(store().db, store().schema).searchConnections(index, params);
}

beforeEach(() => clearIndexes(store()));

/** Documents with every field varied (and some missing), so each sort column has an order to show. */
function variedDocuments(): MasterDocument[] {
  return [
    masterDocument({
      gmcReferenceNumber: '1000001',
      tcsPersonId: 31,
      doctorFirstName: 'Amir',
      doctorLastName: 'Khan',
      submissionDate: '2027-03-01',
      programmeName: 'General Practice',
      membershipType: 'SUBSTANTIVE',
      membershipStartDate: '2024-08-01',
      membershipEndDate: '2026-07-31',
      curriculumEndDate: '2026-07-31',
      programmeOwner: 'Wessex',
      designatedBody: '1-AAA',
      tcsDesignatedBody: '1-BBB',
      placementGrade: '300',
      admin: 'b@example.org',
      underNotice: 'YES',
      gmcStatus: 'Approved',
      tisStatus: 'COMPLETED',
      exceptionReason: 'Missing / Invalid Change Code (Reason)',
      lastUpdatedDate: '2026-06-01',
    }),
    masterDocument({
      gmcReferenceNumber: '1000002',
      tcsPersonId: 7,
      doctorFirstName: 'Beth',
      doctorLastName: 'Jones',
      submissionDate: '2027-01-15',
      programmeName: 'Core Surgical Training',
      membershipType: 'LAT',
      membershipStartDate: '2025-02-01',
      membershipEndDate: '2027-01-31',
      curriculumEndDate: null,
      programmeOwner: 'North East',
      designatedBody: '1-BBB',
      tcsDesignatedBody: '1-AAA',
      placementGrade: '279',
      admin: null,
      underNotice: 'ON_HOLD',
      gmcStatus: 'Under Review',
      tisStatus: 'SUBMITTED_TO_GMC',
      lastUpdatedDate: '2026-05-20',
    }),
    masterDocument({
      gmcReferenceNumber: '2000003',
      tcsPersonId: null,
      doctorFirstName: 'Carl',
      doctorLastName: 'Smith',
      submissionDate: null,
      programmeName: null,
      membershipType: null,
      membershipStartDate: null,
      membershipEndDate: null,
      curriculumEndDate: null,
      programmeOwner: null,
      designatedBody: null,
      tcsDesignatedBody: null,
      placementGrade: null,
      underNotice: null,
      existsInGmc: false,
      connectionStatus: 'No',
      lastUpdatedDate: null,
    }),
    masterDocument({
      gmcReferenceNumber: '2000004',
      tcsPersonId: 120,
      doctorFirstName: 'Dana',
      doctorLastName: 'Smithson',
      submissionDate: '2026-12-24',
      programmeName: 'Paediatrics | General Practice',
      membershipType: 'VISITOR',
      membershipStartDate: '2023-09-01',
      membershipEndDate: '2026-12-24',
      curriculumEndDate: '2028-01-01',
      programmeOwner: 'Thames Valley',
      designatedBody: '1-CCC',
      tcsDesignatedBody: '1-CCC',
      placementGrade: '310',
      admin: 'a@example.org',
      underNotice: 'NO',
      gmcStatus: 'Rejected',
      tisStatus: 'DRAFT',
      exceptionReason: 'Doctor already connected',
      lastUpdatedDate: '2026-06-10',
    }),
    masterDocument({
      gmcReferenceNumber: '3000005',
      tcsPersonId: 55,
      doctorFirstName: 'Eve',
      doctorLastName: 'Adams',
      submissionDate: '2027-01-15',
      membershipEndDate: '2027-01-31',
      designatedBody: '1-AAA',
      tcsDesignatedBody: null,
      programmeOwner: null,
    }),
  ];
}

describe('searchConnections', () => {
  it('reads the named index only', async () => {
    for (const [i, index] of CONNECTION_INDEXES.entries()) {
      await insertDocuments(store(), index, [masterDocument({ gmcReferenceNumber: `${i}00` })]);
    }
    await insertDocuments(store(), 'recommendation', [masterDocument({ gmcReferenceNumber: '999' })]);
    for (const [i, index] of CONNECTION_INDEXES.entries()) {
      const result = await search(index);
      expect(gmcNumbers(result.records)).toEqual([`${i}00`]);
      expect(result).toEqual({
        totalResults: 1,
        totalPages: 1,
        records: [masterDocument({ gmcReferenceNumber: `${i}00` })],
        nextCursor: null,
        previousCursor: null,
      });
    }
  });

  it('sorts by GMC number descending by default', async () => {
    await insertDocuments(store(), 'connected', variedDocuments());
    expect(gmcNumbers((await search('connected')).records)).toEqual([
      '3000005',
      '2000004',
      '2000003',
      '1000002',
      '1000001',
    ]);
  });

  for (const column of CONNECTION_SORT_COLUMNS) {
    for (const order of ['asc', 'desc'] as const) {
      it(`sorts by ${column} ${order}, missing values as the largest, then last name and GMC number ascending`, async () => {
        const documents = variedDocuments();
        await insertDocuments(store(), 'discrepancies', documents);
        const result = await search('discrepancies', { sortColumn: column, sortOrder: order });
        expect(gmcNumbers(result.records)).toEqual(
          expectedOrder(documents, column, order, ['doctorLastName', 'gmcReferenceNumber']),
        );
      });
    }
  }

  it('breaks ties on the sort column by last name ascending, then GMC number ascending, even sorting descending', async () => {
    const sameDay = { membershipEndDate: '2027-01-01' };
    await insertDocuments(store(), 'connected', [
      masterDocument({ gmcReferenceNumber: '5', doctorLastName: 'Young', ...sameDay }),
      masterDocument({ gmcReferenceNumber: '4', doctorLastName: 'Brown', ...sameDay }),
      masterDocument({ gmcReferenceNumber: '3', doctorLastName: 'Young', ...sameDay }),
      masterDocument({ gmcReferenceNumber: '2', doctorLastName: 'Brown', ...sameDay }),
      masterDocument({ gmcReferenceNumber: '1', doctorLastName: 'Adams', membershipEndDate: '2028-01-01' }),
    ]);
    const descending = await search('connected', { sortColumn: 'membershipEndDate', sortOrder: 'desc' });
    expect(gmcNumbers(descending.records)).toEqual(['1', '2', '4', '3', '5']);
    const ascending = await search('connected', { sortColumn: 'membershipEndDate', sortOrder: 'asc' });
    expect(gmcNumbers(ascending.records)).toEqual(['2', '4', '3', '5', '1']);
  });

  describe('paging', () => {
    const documents = Array.from({ length: 41 }, (_, i) =>
      masterDocument({
        gmcReferenceNumber: String(5_000_000 + i),
        programmeOwner: i % 2 === 0 ? 'Wessex' : 'North East',
      }),
    );

    it('pages by 20, the last page holding the rest, each document on exactly one page', async () => {
      await insertDocuments(store(), 'exception', documents);
      const pages = await Promise.all(
        [0, 1, 2].map((pageNumber) =>
          search('exception', { sortColumn: 'programmeOwner', sortOrder: 'asc', pageNumber: String(pageNumber) }),
        ),
      );
      expect(pages.map((page) => page.records.length)).toEqual([20, 20, 1]);
      for (const page of pages) expect(page).toMatchObject({ totalResults: 41, totalPages: 3 });
      expect(pages.flatMap((page) => gmcNumbers(page.records))).toEqual(
        expectedOrder(documents, 'programmeOwner', 'asc', ['doctorLastName', 'gmcReferenceNumber']),
      );
    });

    it('answers a page beyond the last with no records but the same totals', async () => {
      await insertDocuments(store(), 'exception', documents);
      expect(await search('exception', { pageNumber: 7 })).toEqual({
        totalResults: 41,
        totalPages: 3,
        records: [],
        nextCursor: null,
        previousCursor: null,
      });
    });
  });

  describe('filters', () => {
    beforeEach(() => insertDocuments(store(), 'discrepancies', variedDocuments()));

    const cases: Array<[string, ConnectionSearchParams, string[]]> = [
      ['dbcs keeps GMC designated bodies', { dbcs: '1-AAA' }, ['1000001', '3000005']],
      [
        'tisDesignatedBodies keeps TCS designated bodies',
        { tisDesignatedBodies: '1-AAA,1-CCC' },
        ['1000002', '2000004'],
      ],
      [
        'dbcs and tisDesignatedBodies together keep either',
        { dbcs: '1-CCC', tisDesignatedBodies: '1-BBB' },
        ['1000001', '2000004'],
      ],
      [
        'programmeName is a case-insensitive phrase anywhere',
        { programmeName: 'GENERAL practice' },
        ['1000001', '2000004', '3000005'],
      ],
      ['searchQuery is a prefix of the last name', { searchQuery: 'SMITH' }, ['2000003', '2000004']],
      ['searchQuery is a prefix of the first name', { searchQuery: 'eV' }, ['3000005']],
      ['searchQuery is a prefix of the GMC number', { searchQuery: '100' }, ['1000001', '1000002']],
      ['searchQuery does not match inside a name', { searchQuery: 'ones' }, []],
      ['searchQuery treats % literally', { searchQuery: '%' }, []],
      ['searchQuery treats _ literally', { searchQuery: '_000' }, []],
      [
        'membershipEndDate range is inclusive and leaves out missing dates',
        { membershipEndDateFrom: '2026-12-24', membershipEndDateTo: '2027-01-31' },
        ['1000002', '2000004', '3000005'],
      ],
      ['membershipEndDateFrom alone', { membershipEndDateFrom: '2027-01-01' }, ['1000002', '3000005']],
      ['membershipEndDateTo alone', { membershipEndDateTo: '2026-12-31' }, ['1000001', '2000004']],
      [
        'submissionDate range is inclusive and leaves out missing dates',
        { submissionDateFrom: '2027-01-15', submissionDateTo: '2027-03-01' },
        ['1000001', '1000002', '3000005'],
      ],
      ['submissionDateTo alone', { submissionDateTo: '2026-12-31' }, ['2000004']],
      ['filters combine', { dbcs: '1-AAA,1-BBB', searchQuery: 'b', membershipEndDateFrom: '2027-01-01' }, ['1000002']],
      [
        'blank values mean no filter',
        { dbcs: '', programmeName: ' ', membershipEndDateFrom: '' },
        ['1000001', '1000002', '2000003', '2000004', '3000005'],
      ],
    ];
    for (const [name, params, expected] of cases) {
      it(name, async () => {
        const result = await search('discrepancies', { sortOrder: 'asc', ...params });
        expect(gmcNumbers(result.records)).toEqual(expected);
        expect(result.totalResults).toBe(expected.length);
      });
    }
  });

  describe('bad parameters', () => {
    const cases: Array<[ConnectionSearchParams, string, RegExp]> = [
      [{ sortColumn: 'conflictingTcsPersonIds' }, 'sortColumn', /must be one of: gmcReferenceNumber, doctorFirstName/],
      [{ sortColumn: 'doctor_last_name' }, 'sortColumn', /membershipEndDate/],
      [{ pageNumber: '-2' }, 'pageNumber', /whole number/],
      [{ membershipEndDateFrom: '2027-02-30' }, 'membershipEndDateFrom', /YYYY-MM-DD/],
      [{ submissionDateTo: '31/01/2027' }, 'submissionDateTo', /YYYY-MM-DD/],
      [
        { membershipEndDateFrom: '2027-02-01', membershipEndDateTo: '2027-01-01' },
        'membershipEndDateTo',
        /not be before membershipEndDateFrom/,
      ],
      [
        { submissionDateFrom: '2027-02-01', submissionDateTo: '2026-01-01' },
        'submissionDateTo',
        /not be before submissionDateFrom/,
      ],
      [{ tisDesignatedBodies: '1-AAA;DROP' }, 'tisDesignatedBodies', /designated body code/],
    ];
    for (const [params, field, reason] of cases) {
      it(`refuses ${JSON.stringify(params)}, naming ${field}`, async () => {
        const error = await search('connected', params).catch((err: unknown) => err);
        expect(error).toBeInstanceOf(InvalidQueryParamsError);
        const issues = error instanceof InvalidQueryParamsError ? error.issues : [];
        expect(issues).toHaveLength(1);
        expect(issues[0]?.field).toBe(field);
        expect(issues[0]?.reason).toMatch(reason);
      });
    }

    it('refuses an index that is not a connection index, naming the accepted ones', async () => {
      const error = await search('recommendation' as ConnectionIndex).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(InvalidQueryParamsError);
      const issues = error instanceof InvalidQueryParamsError ? error.issues : [];
      expect(issues).toEqual([
        {
          field: 'index',
          reason: 'must be one of: connected, disconnected, exception, discrepancies',
          value: 'recommendation',
        },
      ]);
    });
  });
});
