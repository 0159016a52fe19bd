import { describe, expect, it } from 'vitest';
import { connectionSearchParamsSchema, recommendationSearchParamsSchema } from '../../src/index.js';
// Not re-exported by the package: the queries module's own front door.
import { escapeLike, parseQueryParams } from '../../src/queries/index.js';

describe('recommendationSearchParamsSchema', () => {
  it('fills every default from an empty query string', () => {
    expect(parseQueryParams(recommendationSearchParamsSchema, {})).toEqual({
      ok: true,
      params: {
        sortColumn: 'submissionDate',
        sortOrder: 'desc',
        pageNumber: 0,
        underNotice: false,
        dbcs: [],
        programmeName: undefined,
        gmcStatus: [],
        tisStatus: [],
        admin: undefined,
        searchQuery: undefined,
      },
    });
  });

  it('reads query-string values: lists, flags, numbers, canonical statuses, trimmed text', () => {
    const parsed = parseQueryParams(recommendationSearchParamsSchema, {
      sortColumn: 'doctorLastName',
      sortOrder: 'ASC',
      pageNumber: '3',
      underNotice: 'True',
      dbcs: ['1-1RUZV1D, 1-1RUZV6H', '1-25U-830'],
      gmcStatus: 'under review',
      tisStatus: 'draft,COMPLETED,',
      admin: '  a@b.org ',
      searchQuery: ' smi ',
      filter: 'allDoctors',
    });
    expect(parsed).toEqual({
      ok: true,
      params: {
        sortColumn: 'doctorLastName',
        sortOrder: 'asc',
        pageNumber: 3,
        underNotice: true,
        dbcs: ['1-1RUZV1D', '1-1RUZV6H', '1-25U-830'],
        programmeName: undefined,
        gmcStatus: ['Under Review'],
        tisStatus: ['DRAFT', 'COMPLETED'],
        admin: 'a@b.org',
        searchQuery: 'smi',
      },
    });
  });

  it('gives back the same parameters when they are parsed twice', () => {
    const once = recommendationSearchParamsSchema.parse({ dbcs: '1-A,1-B', pageNumber: '2', underNotice: 'true' });
    expect(recommendationSearchParamsSchema.parse(once)).toEqual(once);
  });

  it('answers issues with the field, the reason and the value, for a 400', () => {
    expect(parseQueryParams(recommendationSearchParamsSchema, { sortColumn: 'age', pageNumber: 'x' })).toEqual({
      ok: false,
      issues: [
        {
          field: 'sortColumn',
          reason: 'must be one of: submissionDate, doctorFirstName, doctorLastName, gmcReferenceNumber',
          value: 'age',
        },
        { field: 'pageNumber', reason: 'must be a whole number from 0', value: 'x' },
      ],
    });
  });

  it('caps lists and page numbers', () => {
    const tooMany = Array.from({ length: 101 }, (_, i) => `1-X${i}`).join(',');
    const parsed = parseQueryParams(recommendationSearchParamsSchema, { dbcs: tooMany, pageNumber: '1000001' });
    expect(parsed.ok ? [] : parsed.issues.map((issue) => [issue.field, issue.reason])).toEqual([
      ['pageNumber', 'must be at most 1000000'],
      ['dbcs', 'must have at most 100 values'],
    ]);
  });
});

describe('connectionSearchParamsSchema', () => {
  it('fills every default from an empty query string', () => {
    expect(connectionSearchParamsSchema.parse({})).toEqual({
      sortColumn: 'gmcReferenceNumber',
      sortOrder: 'desc',
      pageNumber: 0,
      dbcs: [],
      tisDesignatedBodies: [],
      programmeName: undefined,
      searchQuery: undefined,
      membershipEndDateFrom: undefined,
      membershipEndDateTo: undefined,
      submissionDateFrom: undefined,
      submissionDateTo: undefined,
    });
  });

  it('accepts a one-day range and gives back the same parameters when parsed twice', () => {
    const once = connectionSearchParamsSchema.parse({
      membershipEndDateFrom: '2024-02-29',
      membershipEndDateTo: '2024-02-29',
      tisDesignatedBodies: '1-AAA',
    });
    expect(once.membershipEndDateFrom).toBe('2024-02-29');
    expect(connectionSearchParamsSchema.parse(once)).toEqual(once);
  });

  it('refuses dates that do not exist', () => {
    const parsed = parseQueryParams(connectionSearchParamsSchema, { submissionDateFrom: '2023-02-29' });
    expect(parsed.ok ? [] : parsed.issues).toEqual([
      { field: 'submissionDateFrom', reason: 'must be a date YYYY-MM-DD', value: '2023-02-29' },
    ]);
  });
});

describe('escapeLike', () => {
  it('escapes %, _ and the escape character itself', () => {
    expect(escapeLike('50%_off\\now')).toBe('50\\%\\_off\\\\now');
    expect(escapeLike('plain')).toBe('plain');
  });
});
