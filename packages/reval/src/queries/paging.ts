import { type Expression, type SelectQueryBuilder, type SqlBool, sql } from 'kysely';
import type { RevalIndexTable } from '../migrations/index-migrations.js';
import type { IndexDocumentTable } from '../store/schema.js';
import { DOCUMENT_SELECTION, type DocumentQueryDatabase, type IndexReader } from './index-document.js';
import { PAGE_SIZE, type SortOrder } from './query-params.js';
import type { DocumentExpressionBuilder } from './text-match.js';

/** A column the lists sort by and its direction. */
export interface DocumentSort {
  column: Exclude<keyof IndexDocumentTable, 'conflicting_tcs_person_ids' | 'projected_at'>;
  order: SortOrder;
}

/** Pages needed for `totalResults` rows: 0 when there are none. */
export function totalPagesOf(totalResults: number): number {
  return Math.ceil(totalResults / PAGE_SIZE);
}

/** The first row of page `pageNumber` (pages from 0). */
function offsetOf(pageNumber: number): number {
  return pageNumber * PAGE_SIZE;
}

/**
 * The page `pageNumber` of `table`'s documents matching `filter`, in the order of `sorts`.
 *
 * Two steps in one statement: the page's GMC numbers are chosen first, reading only the columns the
 * filter and the sorts need, which the index store's covering indexes hold, so an index-only scan
 * finds them (the selected designated bodies' range of `list_idx`, or a walk along an ordered index
 * for a deep page of a long list); then just those (at most 20) documents are fetched by primary key.
 * Selecting whole documents directly would read every matching document from the heap before sorting:
 * for one body of 100,000 doctors, ~6,000 rows spread over nearly every page of the table.
 */
export function selectDocumentPage(
  reader: IndexReader,
  table: RevalIndexTable,
  filter: (eb: DocumentExpressionBuilder) => Expression<SqlBool>,
  sorts: readonly DocumentSort[],
  pageNumber: number,
) {
  const pageKeys = orderBySorts(reader.selectFrom(table).select('gmc_reference_number').where(filter), sorts)
    .limit(PAGE_SIZE)
    .offset(offsetOf(pageNumber));
  return orderBySorts(
    reader
      .selectFrom(table)
      .select(DOCUMENT_SELECTION)
      .where(sql<SqlBool>`gmc_reference_number = any(array(${pageKeys}))`),
    sorts,
  );
}

/**
 * Orders by each sort in turn, in Postgres's order, where a missing value counts as larger than any
 * other: last ascending, first descending. (The original system's Elasticsearch put missing values last
 * both ways; that would take two indexes per sort column, where this order lets one serve both
 * directions, scanned forwards or backwards.)
 */
export function orderBySorts<O>(
  query: SelectQueryBuilder<DocumentQueryDatabase, 'doc', O>,
  sorts: readonly DocumentSort[],
): SelectQueryBuilder<DocumentQueryDatabase, 'doc', O> {
  return sorts.reduce((ordered, sort) => ordered.orderBy(sort.column, sort.order), query);
}

/**
 * The order of every list: `column` in `order`, then last name ascending, then GMC number ascending.
 * The GMC number is unique, so the order is total and a document is on exactly one page however many
 * tie on the column. Sorting by GMC number needs no tie-break; sorting by last name skips the
 * redundant last-name one.
 */
export function listOrder(column: DocumentSort['column'], order: SortOrder): DocumentSort[] {
  const sorts: DocumentSort[] = [{ column, order }];
  if (column === 'gmc_reference_number') return sorts;
  if (column !== 'doctor_last_name') sorts.push({ column: 'doctor_last_name', order: 'asc' });
  sorts.push({ column: 'gmc_reference_number', order: 'asc' });
  return sorts;
}
