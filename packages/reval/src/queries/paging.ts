import { type Expression, type SelectQueryBuilder, type SqlBool, sql } from 'kysely';
import type { RevalIndexTable } from '../migrations/index-migrations.js';
import type { IndexDocumentTable } from '../store/schema.js';
import {
  type CursorContext,
  type CursorDirection,
  type CursorKeyValue,
  encodeCursor,
  type PageCursor,
} from './cursor.js';
import {
  DOCUMENT_SELECTION,
  type DocumentQueryDatabase,
  type IndexDocumentRow,
  type IndexReader,
} from './index-document.js';
import { PAGE_SIZE, type SortOrder } from './query-params.js';
import type { DocumentExpressionBuilder } from './text-match.js';

/** A column the lists sort by and its direction. */
export interface DocumentSort {
  column: Exclude<keyof IndexDocumentTable, 'conflicting_tcs_person_ids' | 'projected_at'>;
  order: SortOrder;
}

/**
 * Where a page is: `pageNumber` pages of 20 into the list (offset paging), or the rows after or
 * before a position (keyset paging, from a cursor).
 */
export type PagePosition =
  | { readonly pageNumber: number }
  | { readonly direction: CursorDirection; readonly key: readonly CursorKeyValue[] };

/** Which page of which list: the index table, the request's filter, the list's order, the position. */
export interface PageQuery {
  readonly table: RevalIndexTable;
  readonly filter: (eb: DocumentExpressionBuilder) => Expression<SqlBool>;
  /** The list's order (`listOrder`). */
  readonly sorts: readonly DocumentSort[];
  readonly position: PagePosition;
}

/** One page of a list: its rows in the list's order, and the cursors of the pages beside it. */
export interface DocumentPage {
  readonly rows: IndexDocumentRow[];
  /** The rows after this page; `null` when this is the last. */
  readonly nextCursor: string | null;
  /** The rows before this page; `null` when this is the first. */
  readonly previousCursor: string | null;
}

/** Pages needed for `totalResults` rows: 0 when there are none. */
export function totalPagesOf(totalResults: number): number {
  return Math.ceil(totalResults / PAGE_SIZE);
}

/** The position a parsed request asks for: its cursor, else its page number. */
export function positionOf(params: { pageNumber: number; cursor?: PageCursor | undefined }): PagePosition {
  return params.cursor
    ? { direction: params.cursor.direction, key: params.cursor.key }
    : { pageNumber: params.pageNumber };
}

/**
 * The rows of the page at `position` of `table`'s documents matching `filter`, in the order of `sorts`,
 * plus one more when there is one (so the caller knows whether a next page exists). Rows before a
 * position come in the reverse order (nearest first); {@link fetchDocumentPage} puts them right.
 *
 * Two steps in one statement: the page's GMC numbers are chosen first, reading only the columns the
 * filter and the sorts need, which the index store's covering indexes hold, so an index-only scan
 * finds them (the selected designated bodies' range of `list_idx`, or a walk along an ordered index
 * for a long list); then just those (at most 21) documents are fetched by primary key. Selecting whole
 * documents directly would read every matching document from the heap before sorting: for one body of
 * 100,000 doctors, ~6,000 rows spread over nearly every page of the table.
 *
 * Offset paging sorts (or walks) and skips every row before the page; keyset paging seeks to the
 * position in an index ordered by the sort column and reads one page from there, however deep.
 */
export function selectDocumentPage(reader: IndexReader, query: PageQuery) {
  const { table, filter, sorts, position } = query;
  const scanSorts = 'direction' in position && position.direction === 'before' ? reversed(sorts) : sorts;
  const pageKeys =
    'pageNumber' in position
      ? orderBySorts(reader.selectFrom(table).select('gmc_reference_number').where(filter), sorts)
          .limit(PAGE_SIZE + 1)
          .offset(position.pageNumber * PAGE_SIZE)
      : keysetPageKeys(reader, table, filter, scanSorts, position.key);
  return orderBySorts(
    reader
      .selectFrom(table)
      .select(DOCUMENT_SELECTION)
      .where(sql<SqlBool>`gmc_reference_number = any(array(${pageKeys}))`),
    scanSorts,
  );
}

/** Runs {@link selectDocumentPage} and makes the page's rows and cursors of it. */
export async function fetchDocumentPage(
  reader: IndexReader,
  query: PageQuery,
  context: CursorContext,
): Promise<DocumentPage> {
  const { sorts, position } = query;
  const fetched = await selectDocumentPage(reader, query).execute();
  const hasMore = fetched.length > PAGE_SIZE;
  const scanned = fetched.slice(0, PAGE_SIZE);
  const isBefore = 'direction' in position && position.direction === 'before';
  const rows = isBefore ? scanned.reverse() : scanned;
  const cursorAt = (direction: CursorDirection, row: IndexDocumentRow | undefined) =>
    row === undefined
      ? null
      : encodeCursor({ ...context, direction, key: sorts.map((sort) => keyValueOf(row[sort.column])) });
  const here = (direction: CursorDirection) =>
    'key' in position ? encodeCursor({ ...context, direction, key: position.key }) : null;
  const first = rows[0];
  const last = rows.at(-1);
  if ('pageNumber' in position) {
    return {
      rows,
      nextCursor: hasMore ? cursorAt('after', last) : null,
      previousCursor: position.pageNumber > 0 ? cursorAt('before', first) : null,
    };
  }
  // An empty page still has neighbours: the rows on the other side of the position asked for.
  if (isBefore) {
    return {
      rows,
      nextCursor: last ? cursorAt('after', last) : here('after'),
      previousCursor: hasMore ? cursorAt('before', first) : null,
    };
  }
  return {
    rows,
    nextCursor: hasMore ? cursorAt('after', last) : null,
    previousCursor: first ? cursorAt('before', first) : here('before'),
  };
}

/** A sort key's value as a cursor holds it: pg gives `bigint` as text, `boolean` as a boolean. */
function keyValueOf(value: unknown): CursorKeyValue {
  if (value === null || value === undefined) return null;
  return typeof value === 'boolean' ? value : String(value);
}

/**
 * The GMC numbers of the (at most 21) rows strictly after `key` in the order of `sorts`.
 *
 * "After" is split into parts an index ordered by the first sort column can seek to, each read in
 * order and cut at 21 rows, then merged: a part is a range of the first column (with the rows equal
 * to the key's value that come after it on the later columns), or its missing values, which sort
 * after every value ascending and before every value descending. A single `or` of all of them would
 * leave Postgres to walk the index from its start and filter, which is offset paging's cost again.
 */
function keysetPageKeys(
  reader: IndexReader,
  table: RevalIndexTable,
  filter: (eb: DocumentExpressionBuilder) => Expression<SqlBool>,
  sorts: readonly DocumentSort[],
  key: readonly CursorKeyValue[],
) {
  const parts = keysetParts(sorts, key);
  const partKeys = (part: Expression<SqlBool>) =>
    orderBySorts(
      reader
        .selectFrom(table)
        .select([...new Set(['gmc_reference_number' as const, ...sorts.map((sort) => sort.column)])])
        .where(filter)
        .where(part),
      sorts,
    ).limit(PAGE_SIZE + 1);
  const [only, second] = parts;
  if (only === undefined) return sql<string>`select null::text where false`;
  if (second === undefined) {
    return orderBySorts(reader.selectFrom(table).select('gmc_reference_number').where(filter).where(only), sorts).limit(
      PAGE_SIZE + 1,
    );
  }
  const merged = sql.join(
    parts.map((part) => sql`(${partKeys(part)})`),
    sql` union all `,
  );
  const orderBy = sql.join(sorts.map((sort) => sql`${sql.ref(sort.column)} ${sql.raw(sort.order)}`));
  return sql<string>`select gmc_reference_number from (${merged}) as page_keys order by ${orderBy} limit ${PAGE_SIZE + 1}`;
}

/**
 * The rows strictly after `key` in the order of `sorts` (a missing value larger than any other), as
 * disjoint parts in that order, each seekable on the first sort column; none when no row can follow.
 */
function keysetParts(sorts: readonly DocumentSort[], key: readonly CursorKeyValue[]): Expression<SqlBool>[] {
  const [sort, ...laterSorts] = sorts;
  const [value, ...laterValues] = key;
  if (sort === undefined || value === undefined) return [];
  const column = sort.column;
  const tail = strictlyAfter(laterSorts, laterValues);
  const sameValueAfter = tail && all([value === null ? isNull(column) : compare(column, '=', value), tail]);
  if (value === null) {
    const parts = sameValueAfter ? [sameValueAfter] : [];
    return sort.order === 'desc' ? [...parts, isNotNull(column)] : parts;
  }
  const beyond = compare(column, sort.order === 'asc' ? '>' : '<', value);
  // The redundant bound (`>=`, `<=`) is what lets Postgres seek: the `or` alone is only a filter.
  const bounded = all([
    compare(column, sort.order === 'asc' ? '>=' : '<=', value),
    sameValueAfter ? any([beyond, sameValueAfter]) : beyond,
  ]);
  return sort.order === 'asc' && !NOT_NULL_COLUMNS.has(column) ? [bounded, isNull(column)] : [bounded];
}

/** The rows strictly after `key` in the order of `sorts`, as one condition; `undefined` when none can be. */
function strictlyAfter(
  sorts: readonly DocumentSort[],
  key: readonly CursorKeyValue[],
): Expression<SqlBool> | undefined {
  const [sort, ...laterSorts] = sorts;
  const [value, ...laterValues] = key;
  if (sort === undefined || value === undefined) return undefined;
  const column = sort.column;
  const options: Expression<SqlBool>[] = [];
  if (value === null) {
    if (sort.order === 'desc') options.push(isNotNull(column));
  } else if (sort.order === 'asc') {
    options.push(compare(column, '>', value));
    if (!NOT_NULL_COLUMNS.has(column)) options.push(isNull(column));
  } else {
    options.push(compare(column, '<', value));
  }
  const tail = strictlyAfter(laterSorts, laterValues);
  if (tail) options.push(all([value === null ? isNull(column) : compare(column, '=', value), tail]));
  return options.length === 0 ? undefined : any(options);
}

function compare(column: DocumentSort['column'], operator: '<' | '<=' | '=' | '>=' | '>', value: string | boolean) {
  return sql<SqlBool>`${sql.ref(column)} ${sql.raw(operator)} ${value}`;
}

/** The columns the index tables declare `not null`: no part of a position is about their missing values. */
const NOT_NULL_COLUMNS: ReadonlySet<DocumentSort['column']> = new Set([
  'gmc_reference_number',
  'exists_in_gmc',
  'tis_status',
  'connection_status',
]);

function isNull(column: DocumentSort['column']) {
  return NOT_NULL_COLUMNS.has(column) ? sql<SqlBool>`false` : sql<SqlBool>`${sql.ref(column)} is null`;
}

function isNotNull(column: DocumentSort['column']) {
  return sql<SqlBool>`${sql.ref(column)} is not null`;
}

function all(conditions: readonly Expression<SqlBool>[]) {
  return sql<SqlBool>`(${sql.join(conditions, sql` and `)})`;
}

function any(conditions: readonly Expression<SqlBool>[]) {
  return sql<SqlBool>`(${sql.join(conditions, sql` or `)})`;
}

/**
 * Every sort the other way round. Postgres puts a missing value last ascending and first descending,
 * so reversing each direction reverses the whole order exactly: the rows before a position are the
 * rows after it in this order.
 */
function reversed(sorts: readonly DocumentSort[]): DocumentSort[] {
  return sorts.map((sort) => ({ column: sort.column, order: sort.order === 'asc' ? 'desc' : 'asc' }));
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
