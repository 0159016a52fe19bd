import type { Expression, SqlBool } from 'kysely';
import { z } from 'zod';
import type { MasterDocument } from '../model.js';
import { checkedCursorContext, cursorParam } from './cursor.js';
import { DOCUMENT_COLUMNS, type IndexReader, toMasterDocument } from './index-document.js';
import {
  fetchDocumentPage,
  listOrder,
  type PageQuery,
  positionOf,
  selectDocumentPage,
  totalPagesOf,
} from './paging.js';
import {
  csvList,
  designatedBodyCode,
  InvalidQueryParamsError,
  optionalDate,
  optionalText,
  pageNumber,
  parseQueryParamsOrThrow,
  sortColumn,
  sortOrder,
} from './query-params.js';
import { contains, type DocumentExpressionBuilder, matchesSearchQuery } from './text-match.js';

/** The indexes behind `GET /api/connection/{index}`. */
export const CONNECTION_INDEXES = ['connected', 'disconnected', 'exception', 'discrepancies'] as const;
export type ConnectionIndex = (typeof CONNECTION_INDEXES)[number];

/** Validates the `{index}` path segment. */
const connectionIndexSchema = z.enum(CONNECTION_INDEXES, {
  error: `must be one of: ${CONNECTION_INDEXES.join(', ')}`,
});

/**
 * The fields a connection list sorts by: every field of the master document but
 * `conflictingTcsPersonIds`, a list, which has no order of its own.
 */
export const CONNECTION_SORT_COLUMNS = [
  'gmcReferenceNumber',
  'doctorFirstName',
  'doctorLastName',
  'submissionDate',
  'programmeName',
  'membershipType',
  'membershipStartDate',
  'membershipEndDate',
  'curriculumEndDate',
  'programmeOwner',
  'designatedBody',
  'tcsDesignatedBody',
  'placementGrade',
  'admin',
  'underNotice',
  'existsInGmc',
  'gmcStatus',
  'tisStatus',
  'connectionStatus',
  'exceptionReason',
  'lastUpdatedDate',
  'tcsPersonId',
] as const;

/**
 * The query string of `GET /api/connection/{index}`, validated and with defaults filled. Lists are
 * comma-separated or repeated; blank values mean "no filter"; dates are `YYYY-MM-DD` and each range
 * is inclusive at both ends.
 */
export const connectionSearchParamsSchema = z
  .object({
    /** Sort column, one of {@link CONNECTION_SORT_COLUMNS}; default `gmcReferenceNumber`. */
    sortColumn: sortColumn(CONNECTION_SORT_COLUMNS, 'gmcReferenceNumber'),
    /** `asc` or `desc`; default, and anything else, `desc`. */
    sortOrder: sortOrder(),
    /** Page from 0, of 20 rows; default 0. Not with `cursor`. */
    pageNumber: pageNumber(),
    /** A `nextCursor` or `previousCursor` of an earlier answer to the same list and query (see `cursor.ts`). */
    cursor: cursorParam(),
    /** GMC designated bodies (`designatedBody`); see {@link searchConnections} for how it meets `tisDesignatedBodies`. */
    dbcs: csvList(designatedBodyCode),
    /** TCS designated bodies (`tcsDesignatedBody`). */
    tisDesignatedBodies: csvList(designatedBodyCode),
    /** A phrase the programme name contains, case-insensitively. */
    programmeName: optionalText(),
    /** A case-insensitive prefix of the first name, the last name or the GMC number. */
    searchQuery: optionalText(),
    membershipEndDateFrom: optionalDate(),
    membershipEndDateTo: optionalDate(),
    submissionDateFrom: optionalDate(),
    submissionDateTo: optionalDate(),
  })
  .refine((p) => !isReversed(p.membershipEndDateFrom, p.membershipEndDateTo), {
    path: ['membershipEndDateTo'],
    message: 'must not be before membershipEndDateFrom',
  })
  .refine((p) => !isReversed(p.submissionDateFrom, p.submissionDateTo), {
    path: ['submissionDateTo'],
    message: 'must not be before submissionDateFrom',
  });

/** What callers pass: query-string values (strings, lists) or already-parsed ones. */
export type ConnectionSearchParams = z.input<typeof connectionSearchParamsSchema>;
/** {@link ConnectionSearchParams} after validation and defaults. */
export type ResolvedConnectionSearchParams = z.output<typeof connectionSearchParamsSchema>;

/** The answer of `GET /api/connection/{index}`. */
export interface ConnectionSearchResult {
  /** Documents matching every filter. */
  totalResults: number;
  /** `ceil(totalResults / 20)`. */
  totalPages: number;
  /** The page, at most 20 documents. */
  records: MasterDocument[];
  /** Pass as `cursor` (with the same query) for the page after this one; `null` on the last page. */
  nextCursor: string | null;
  /** Pass as `cursor` (with the same query) for the page before this one; `null` on the first page. */
  previousCursor: string | null;
}

/**
 * `GET /api/connection/{connected|disconnected|exception|discrepancies}`: a page of that index.
 *
 * Designated bodies: `dbcs` keeps documents whose GMC body is one of them, `tisDesignatedBodies`
 * those whose TCS body is. Given both, a document needs only one (as the original system's
 * discrepancies query had it: "ready for connection" or "ready for disconnection" for the officer's
 * bodies); given neither, every body. Rows are sorted by `sortColumn` in `sortOrder` (a missing value
 * counts as larger than any other), then, as the recommendation list, by last name ascending and GMC
 * number ascending: the GMC number is unique, so the order is total and paging is stable.
 *
 * Two statements, run at once on the pool: the page and the count.
 *
 * @throws InvalidQueryParamsError when `index` or `params` are refused.
 *
 * @example
 * const page = await searchConnections(createIndexReader(db, 'reval_index'), 'discrepancies', {
 *   dbcs: '1-1RUZV1D', tisDesignatedBodies: '1-1RUZV1D', sortColumn: 'membershipEndDate',
 * });
 */
export async function searchConnections(
  reader: IndexReader,
  index: ConnectionIndex,
  params: ConnectionSearchParams,
): Promise<ConnectionSearchResult> {
  const checkedIndex = connectionIndexSchema.safeParse(index);
  if (!checkedIndex.success) {
    throw new InvalidQueryParamsError('connection search', [
      { field: 'index', reason: `must be one of: ${CONNECTION_INDEXES.join(', ')}`, value: index },
    ]);
  }
  const resolved = parseQueryParamsOrThrow(connectionSearchParamsSchema, params, 'connection search');
  const query = connectionPageQuery(checkedIndex.data, resolved);
  const context = checkedCursorContext(
    checkedIndex.data,
    resolved,
    query.sorts.map((sort) => sort.column),
    'connection search',
  );
  const [page, totalResults] = await Promise.all([
    fetchDocumentPage(reader, query, context),
    countConnections(reader, checkedIndex.data, resolved),
  ]);
  return {
    totalResults,
    totalPages: totalPagesOf(totalResults),
    records: page.rows.map(toMasterDocument),
    nextCursor: page.nextCursor,
    previousCursor: page.previousCursor,
  };
}

/** The statement of one page, sorted and filtered (exported for the benchmark). */
export function selectConnectionPage(
  reader: IndexReader,
  index: ConnectionIndex,
  params: ResolvedConnectionSearchParams,
) {
  return selectDocumentPage(reader, connectionPageQuery(index, params));
}

/** The page `params` ask for: the index, their filters, their order, their position. */
function connectionPageQuery(index: ConnectionIndex, params: ResolvedConnectionSearchParams): PageQuery {
  return {
    table: index,
    filter: (eb) => connectionFilter(eb, params),
    sorts: connectionSorts(params),
    position: positionOf(params),
  };
}

/** The sort column, then last name, then GMC number, as the recommendation list (see {@link listOrder}). */
export function connectionSorts(params: Pick<ResolvedConnectionSearchParams, 'sortColumn' | 'sortOrder'>) {
  return listOrder(DOCUMENT_COLUMNS[params.sortColumn], params.sortOrder);
}

/** Documents of `index` matching every filter. */
export async function countConnections(
  reader: IndexReader,
  index: ConnectionIndex,
  params: ResolvedConnectionSearchParams,
): Promise<number> {
  const row = await reader
    .selectFrom(index)
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where((eb) => connectionFilter(eb, params))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Every filter of the request. */
export function connectionFilter(
  eb: DocumentExpressionBuilder,
  params: ResolvedConnectionSearchParams,
): Expression<SqlBool> {
  const conditions: Expression<SqlBool>[] = [];
  const bodies: Expression<SqlBool>[] = [];
  if (params.dbcs.length > 0) bodies.push(eb('designated_body', 'in', params.dbcs));
  if (params.tisDesignatedBodies.length > 0) bodies.push(eb('tcs_designated_body', 'in', params.tisDesignatedBodies));
  if (bodies.length > 0) conditions.push(eb.or(bodies));
  if (params.programmeName !== undefined) conditions.push(contains(eb, 'programme_name', params.programmeName));
  if (params.searchQuery !== undefined) conditions.push(matchesSearchQuery(eb, params.searchQuery));
  // Dates are `YYYY-MM-DD` text, so text comparison is date comparison; a missing date is in no range.
  if (params.membershipEndDateFrom !== undefined) {
    conditions.push(eb('membership_end_date', '>=', params.membershipEndDateFrom));
  }
  if (params.membershipEndDateTo !== undefined)
    conditions.push(eb('membership_end_date', '<=', params.membershipEndDateTo));
  if (params.submissionDateFrom !== undefined) conditions.push(eb('submission_date', '>=', params.submissionDateFrom));
  if (params.submissionDateTo !== undefined) conditions.push(eb('submission_date', '<=', params.submissionDateTo));
  return eb.and(conditions);
}

function isReversed(from: string | undefined, to: string | undefined): boolean {
  return from !== undefined && to !== undefined && from > to;
}
