import {
  type Expression,
  type Kysely,
  type OrderByItemBuilder,
  type SelectQueryBuilder,
  type SqlBool,
  sql,
} from 'kysely';
import type { RevalIndexTable } from '../migrations/index-migrations.js';
import type { IndexDocumentTable, RevalIndexDatabase } from '../store/schema.js';
import { DOCUMENT_SELECTION, type DocumentQueryDatabase, selectFromIndex } from './index-document.js';
import { PAGE_SIZE, type SortOrder } from './query-params.js';
import type { DocumentExpressionBuilder } from './text-match.js';

/** A column the lists sort by and its direction. */
export interface DocumentSort {
  column: Exclude<keyof IndexDocumentTable, 'conflicting_tcs_person_ids' | 'projected_at'>;
  order: SortOrder;
}

/** Columns that are never null, so "missing values last" needs saying for none of them. */
const NOT_NULL_COLUMNS: ReadonlySet<string> = new Set([
  'gmc_reference_number',
  'exists_in_gmc',
  'tis_status',
  'connection_status',
]);

/** Pages needed for `totalResults` rows: 0 when there are none. */
export function totalPagesOf(totalResults: number): number {
  return Math.ceil(totalResults / PAGE_SIZE);
}

/** The first row of page `pageNumber` (pages from 0). */
export function offsetOf(pageNumber: number): number {
  return pageNumber * PAGE_SIZE;
}

/**
 * The page `pageNumber` of `table`'s documents matching `filter`, in the order of `sorts`.
 *
 * Two steps in one statement: the page's GMC numbers are chosen first, reading only the columns the
 * filter and the sorts need, which the tables' covering `list_idx` indexes hold, so an index-only scan
 * of the selected designated bodies finds them; then just those (at most 20) documents are fetched by
 * primary key. Selecting whole documents directly would read every matching document from the heap
 * before sorting: for one body of 100,000 doctors, ~6,000 rows spread over nearly every page.
 */
export function selectDocumentPage(
  db: Kysely<RevalIndexDatabase>,
  schema: string,
  table: RevalIndexTable,
  filter: (eb: DocumentExpressionBuilder) => Expression<SqlBool>,
  sorts: readonly DocumentSort[],
  pageNumber: number,
) {
  const pageKeys = orderBySorts(selectFromIndex(db, schema, table).select('gmc_reference_number').where(filter), sorts)
    .limit(PAGE_SIZE)
    .offset(offsetOf(pageNumber));
  return orderBySorts(
    selectFromIndex(db, schema, table)
      .select(DOCUMENT_SELECTION)
      .where(sql<SqlBool>`gmc_reference_number = any(array(${pageKeys}))`),
    sorts,
  );
}

/**
 * Orders by each sort in turn, missing values last either way, as the original system's Elasticsearch
 * sorts had them: a doctor without a submission date is not the first thing an officer sees on
 * "latest submission first".
 */
export function orderBySorts<O>(
  query: SelectQueryBuilder<DocumentQueryDatabase, 'doc', O>,
  sorts: readonly DocumentSort[],
): SelectQueryBuilder<DocumentQueryDatabase, 'doc', O> {
  return sorts.reduce((ordered, sort) => ordered.orderBy(sort.column, direction(sort)), query);
}

function direction({ column, order }: DocumentSort): (ob: OrderByItemBuilder) => OrderByItemBuilder {
  // Saying NULLS LAST of a column that has none would only stop Postgres matching it to an index.
  if (NOT_NULL_COLUMNS.has(column)) return order === 'asc' ? (ob) => ob.asc() : (ob) => ob.desc();
  return order === 'asc' ? (ob) => ob.asc().nullsLast() : (ob) => ob.desc().nullsLast();
}
