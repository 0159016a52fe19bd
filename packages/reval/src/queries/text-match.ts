import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import type { IndexDocumentTable } from '../store/schema.js';

/** The index tables' text columns a search can match. */
export type TextColumn = {
  [K in keyof IndexDocumentTable]: IndexDocumentTable[K] extends string | null ? K : never;
}[keyof IndexDocumentTable];

/** What the query builders know of the table they read: an index table aliased `doc`. */
export type DocumentExpressionBuilder = ExpressionBuilder<{ doc: IndexDocumentTable }, 'doc'>;

/**
 * `text` with LIKE's metacharacters escaped (`\` is Postgres's default escape character), so a user's
 * `%`, `_` or `\` matches itself instead of anything.
 */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/**
 * `lower(column) like lower($1) || '%'`: a case-insensitive prefix match. Postgres plans the
 * statement with the value bound, folds the pattern to a constant and serves it as a range of the
 * `lower(column) text_pattern_ops` btree, however short the prefix.
 */
function startsWith(eb: DocumentExpressionBuilder, column: TextColumn, text: string): Expression<SqlBool> {
  return eb(eb.fn('lower', [eb.ref(column)]), 'like', sql<string>`lower(${escapeLike(text)}::text) || '%'`);
}

/** `lower(column) like '%' || lower($1) || '%'`: a case-insensitive phrase anywhere in the column (trigram index). */
export function contains(eb: DocumentExpressionBuilder, column: TextColumn, text: string): Expression<SqlBool> {
  return eb(eb.fn('lower', [eb.ref(column)]), 'like', sql<string>`'%' || lower(${escapeLike(text)}::text) || '%'`);
}

/** A case-insensitive prefix of the first name, the last name or the GMC number (REVAL.md `searchQuery`). */
export function matchesSearchQuery(eb: DocumentExpressionBuilder, searchQuery: string): Expression<SqlBool> {
  return eb.or([
    startsWith(eb, 'doctor_first_name', searchQuery),
    startsWith(eb, 'doctor_last_name', searchQuery),
    startsWith(eb, 'gmc_reference_number', searchQuery),
  ]);
}
