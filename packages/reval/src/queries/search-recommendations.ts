import { type Expression, type SqlBool, sql } from 'kysely';
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
  caseInsensitiveEnum,
  csvList,
  designatedBodyCode,
  flag,
  optionalText,
  pageNumber,
  parseQueryParamsOrThrow,
  sortColumn,
  sortOrder,
} from './query-params.js';
import { contains, type DocumentExpressionBuilder, matchesSearchQuery } from './text-match.js';

/** The columns `GET /api/v1/doctors` sorts by (REVAL.md). */
export const RECOMMENDATION_SORT_COLUMNS = [
  'submissionDate',
  'doctorFirstName',
  'doctorLastName',
  'gmcReferenceNumber',
] as const;

/** The recommendation status values of `tisStatus` (REVAL.md). */
const TIS_STATUSES = ['NOT_STARTED', 'DRAFT', 'SUBMITTED_TO_GMC', 'COMPLETED'] as const;

/** The GMC outcome values of `gmcStatus` (REVAL.md). */
const GMC_STATUSES = ['Approved', 'Rejected', 'Under Review'] as const;

/**
 * The query string of `GET /api/v1/doctors`, validated and with defaults filled. Lists are
 * comma-separated or repeated; blank values mean "no filter"; status values match in any case.
 */
export const recommendationSearchParamsSchema = z.object({
  /** Sort column; default `submissionDate`. Unknown columns are refused. */
  sortColumn: sortColumn(RECOMMENDATION_SORT_COLUMNS, 'submissionDate'),
  /** `asc` or `desc`; default, and anything else, `desc`. */
  sortOrder: sortOrder(),
  /** Page from 0, of 20 rows; default 0. Not with `cursor`. */
  pageNumber: pageNumber(),
  /**
   * A `nextCursor` or `previousCursor` of an earlier answer to the same query: the page after (or
   * before) that one, found by its position rather than by skipping rows, so deep pages cost what the
   * first does and rows inserted meanwhile shift nothing (see `cursor.ts`).
   */
  cursor: cursorParam(),
  /** `true`: only doctors under notice (`YES`); default `false` (everyone). */
  underNotice: flag(),
  /** Designated bodies (GMC); none means all. */
  dbcs: csvList(designatedBodyCode),
  /** A phrase the programme name contains, case-insensitively. */
  programmeName: optionalText(),
  /** GMC outcomes, any of them (`Approved`, `Rejected`, `Under Review`). */
  gmcStatus: csvList(caseInsensitiveEnum(GMC_STATUSES)),
  /** Recommendation statuses, any of them (`NOT_STARTED`, `DRAFT`, `SUBMITTED_TO_GMC`, `COMPLETED`). */
  tisStatus: csvList(caseInsensitiveEnum(TIS_STATUSES)),
  /** The admin assigned to the doctor, case-insensitively. */
  admin: optionalText(),
  /** A case-insensitive prefix of the first name, the last name or the GMC number. */
  searchQuery: optionalText(),
});

/** What callers pass: query-string values (strings, lists) or already-parsed ones. */
export type RecommendationSearchParams = z.input<typeof recommendationSearchParamsSchema>;
/** {@link RecommendationSearchParams} after validation and defaults. */
export type ResolvedRecommendationSearchParams = z.output<typeof recommendationSearchParamsSchema>;

/** The answer of `GET /api/v1/doctors`. */
export interface RecommendationSearchResult {
  /** Doctors matching every filter. */
  totalResults: number;
  /** `ceil(totalResults / 20)`. */
  totalPages: number;
  /**
   * Doctors in the GMC (`existsInGmc`) connected to the selected designated bodies (all of them when
   * `dbcs` is empty), before any other filter: the "All doctors" tab's figure. The original system's
   * last versions counted its whole doctors collection instead, which showed an officer figures for
   * bodies that are not theirs; REVAL.md scopes every figure to the officer's designated bodies.
   */
  countTotal: number;
  /** Those of {@link countTotal} under notice `YES`: the "Under notice" tab's figure. */
  countUnderNotice: number;
  /** The page, at most 20 documents. */
  records: MasterDocument[];
  /** Pass as `cursor` (with the same query) for the page after this one; `null` on the last page. */
  nextCursor: string | null;
  /** Pass as `cursor` (with the same query) for the page before this one; `null` on the first page. */
  previousCursor: string | null;
}

/**
 * `GET /api/v1/doctors`: a page of the recommendation index, with its counts.
 *
 * Only doctors in the GMC (`existsInGmc`) are listed. Rows are sorted by `sortColumn` in `sortOrder`
 * (a missing value counts as larger than any other), then by `doctorLastName` ascending as the
 * original system did, then by GMC number ascending: the GMC number is unique, so the order is total
 * and a row appears on exactly one page however many rows tie on the sort column. (Sorting by GMC
 * number needs no tie-break; sorting by last name skips the redundant last-name one.)
 *
 * Three statements, run at once on the pool: the page, the counts of the designated bodies
 * (`countTotal`, `countUnderNotice`) and the count of matches. The last is skipped when the only
 * filters are `dbcs` and `underNotice`, since the counts already hold it.
 *
 * @throws InvalidQueryParamsError when `params` fail {@link recommendationSearchParamsSchema}.
 *
 * @example
 * const page = await searchRecommendations(createIndexReader(db, 'reval_index'), { dbcs: '1-1RUZV1D', searchQuery: 'smi' });
 * // { totalResults: 42, totalPages: 3, countTotal: 6400, countUnderNotice: 1300, records: [...] }
 */
export async function searchRecommendations(
  reader: IndexReader,
  params: RecommendationSearchParams,
): Promise<RecommendationSearchResult> {
  const resolved = parseQueryParamsOrThrow(recommendationSearchParamsSchema, params, 'recommendation search');
  const query = recommendationPageQuery(resolved);
  const context = checkedCursorContext(
    'recommendation',
    resolved,
    query.sorts.map((sort) => sort.column),
    'recommendation search',
  );
  const [page, scope, matching] = await Promise.all([
    fetchDocumentPage(reader, query, context),
    countRecommendationScope(reader, resolved),
    hasFiltersBeyondScope(resolved) ? countRecommendations(reader, resolved) : undefined,
  ]);
  const totalResults = matching ?? (resolved.underNotice ? scope.countUnderNotice : scope.countTotal);
  return {
    totalResults,
    totalPages: totalPagesOf(totalResults),
    countTotal: scope.countTotal,
    countUnderNotice: scope.countUnderNotice,
    records: page.rows.map(toMasterDocument),
    nextCursor: page.nextCursor,
    previousCursor: page.previousCursor,
  };
}

/** The statement of one page, sorted and filtered (exported for the benchmark). */
export function selectRecommendationPage(reader: IndexReader, params: ResolvedRecommendationSearchParams) {
  return selectDocumentPage(reader, recommendationPageQuery(params));
}

/** The page `params` ask for: the recommendation index, their filters, their order, their position. */
function recommendationPageQuery(params: ResolvedRecommendationSearchParams): PageQuery {
  return {
    table: 'recommendation',
    filter: (eb) => recommendationFilter(eb, params),
    sorts: recommendationSorts(params),
    position: positionOf(params),
  };
}

/** The sort column, then last name, then GMC number (see {@link listOrder}). */
export function recommendationSorts(params: Pick<ResolvedRecommendationSearchParams, 'sortColumn' | 'sortOrder'>) {
  return listOrder(DOCUMENT_COLUMNS[params.sortColumn], params.sortOrder);
}

/** The number of doctors matching every filter. */
export async function countRecommendations(
  reader: IndexReader,
  params: ResolvedRecommendationSearchParams,
): Promise<number> {
  const row = await reader
    .selectFrom('recommendation')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where((eb) => recommendationFilter(eb, params))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** `countTotal` and `countUnderNotice`: one pass over the doctors of the selected designated bodies. */
async function countRecommendationScope(
  reader: IndexReader,
  params: Pick<ResolvedRecommendationSearchParams, 'dbcs'>,
): Promise<{ countTotal: number; countUnderNotice: number }> {
  const row = await reader
    .selectFrom('recommendation')
    .select((eb) => [
      eb.fn.countAll<string>().as('count_total'),
      eb.fn.countAll<string>().filterWhere('under_notice', '=', 'YES').as('count_under_notice'),
    ])
    .where((eb) => recommendationScope(eb, params))
    .executeTakeFirstOrThrow();
  return { countTotal: Number(row.count_total), countUnderNotice: Number(row.count_under_notice) };
}

/** The doctors the counts are about: in the GMC, connected to one of `dbcs` (any body when empty). */
function recommendationScope(
  eb: DocumentExpressionBuilder,
  params: Pick<ResolvedRecommendationSearchParams, 'dbcs'>,
): Expression<SqlBool> {
  const conditions = [eb('exists_in_gmc', '=', true)];
  if (params.dbcs.length > 0) conditions.push(eb('designated_body', 'in', params.dbcs));
  return eb.and(conditions);
}

/** Every filter of the request, the scope included. */
export function recommendationFilter(
  eb: DocumentExpressionBuilder,
  params: ResolvedRecommendationSearchParams,
): Expression<SqlBool> {
  const conditions = [recommendationScope(eb, params)];
  if (params.underNotice) conditions.push(eb('under_notice', '=', 'YES'));
  if (params.programmeName !== undefined) conditions.push(contains(eb, 'programme_name', params.programmeName));
  if (params.gmcStatus.length > 0) conditions.push(eb('gmc_status', 'in', params.gmcStatus));
  if (params.tisStatus.length > 0) conditions.push(eb('tis_status', 'in', params.tisStatus));
  if (params.admin !== undefined) {
    conditions.push(eb(eb.fn('lower', [eb.ref('admin')]), '=', sql<string>`lower(${params.admin}::text)`));
  }
  if (params.searchQuery !== undefined) conditions.push(matchesSearchQuery(eb, params.searchQuery));
  return eb.and(conditions);
}

/** Whether any filter narrows the rows beyond what {@link countRecommendationScope} counts. */
function hasFiltersBeyondScope(params: ResolvedRecommendationSearchParams): boolean {
  return (
    params.programmeName !== undefined ||
    params.gmcStatus.length > 0 ||
    params.tisStatus.length > 0 ||
    params.admin !== undefined ||
    params.searchQuery !== undefined
  );
}
