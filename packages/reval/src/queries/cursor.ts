import { createHash } from 'node:crypto';
import { z } from 'zod';
import { InvalidQueryParamsError, type SortOrder } from './query-params.js';

/**
 * Keyset paging's cursor: a position in one list's order, handed out as an opaque string
 * (`nextCursor`, `previousCursor`) and accepted back as `cursor`.
 *
 * Glossary:
 * - position: the sort key of one row (its sort column's value, its last name, its GMC number). The
 *   GMC number is unique, so a position is between two rows, never on a tie.
 * - direction: `after` asks for the rows that follow the position, `before` for those that precede it.
 * - query fingerprint: a digest of the list and its filters, so a cursor is used only with the query
 *   it came from.
 *
 * What a concurrent change does to a cursor: the next page is the rows strictly after the position
 * *when it is fetched*. A row whose sort key does not change is listed exactly once across the pages,
 * however many rows are inserted, updated or deleted meanwhile (offset paging shifts under inserts
 * and deletes before the page, repeating or skipping rows). A row inserted after the position
 * appears on a later page; one inserted before it does not. A row whose sort key changes appears
 * once more if it moves from behind the position to ahead of it, and not at all if it moves the other
 * way before it was listed.
 *
 * The cursor is not a secret nor a security boundary: it holds only values the caller may read anyway
 * and the service binds every one as a parameter. Its checksum catches a damaged or edited cursor so
 * it is refused with a reason rather than silently paging somewhere else.
 */

/** Which way a cursor pages from its position. */
export type CursorDirection = 'after' | 'before';

/** A value of a sort key: text, a boolean (`existsInGmc`), or missing. */
export type CursorKeyValue = string | boolean | null;

/** A decoded cursor. */
export interface PageCursor {
  /** `after`: the page following the position; `before`: the page preceding it. */
  readonly direction: CursorDirection;
  /** The API's sort column the position is in (`submissionDate`). */
  readonly sortColumn: string;
  readonly sortOrder: SortOrder;
  /** The position: one value per sort of the list's order (see `listOrder`). */
  readonly key: readonly CursorKeyValue[];
  /** Digest of the list and its filters (see {@link queryFingerprint}). */
  readonly query: string;
}

/** The version of the encoding; a cursor of another version is refused, asking the caller to start again. */
const CURSOR_VERSION = 1;
/** Longest cursor accepted: the key values are at most a few hundred characters. */
const MAX_CURSOR_LENGTH = 2_000;
/** Longest key value accepted (the longest indexed text, with room to spare). */
const MAX_KEY_VALUE_LENGTH = 500;

const payloadSchema = z.object({
  v: z.literal(CURSOR_VERSION),
  d: z.enum(['after', 'before']),
  s: z.string().max(64),
  o: z.enum(['asc', 'desc']),
  k: z
    .array(z.union([z.string().max(MAX_KEY_VALUE_LENGTH), z.boolean(), z.null()]))
    .min(1)
    .max(3),
  q: z.string().regex(/^[0-9a-f]{16}$/),
});

/** A decoded cursor, as the schema's output carries it (parsing it again changes nothing). */
const pageCursorSchema = z.object({
  direction: z.enum(['after', 'before']),
  sortColumn: z.string(),
  sortOrder: z.enum(['asc', 'desc']),
  key: z.array(z.union([z.string(), z.boolean(), z.null()])).readonly(),
  query: z.string(),
});

/** The 12-byte checksum of a payload, base64url. */
function checksumOf(payload: string): string {
  return createHash('sha256')
    .update(`changeflow reval cursor\n${payload}`)
    .digest()
    .subarray(0, 12)
    .toString('base64url');
}

/** The opaque string of `cursor`: its JSON, base64url, a dot, and a checksum of that. */
export function encodeCursor(cursor: PageCursor): string {
  const payload = Buffer.from(
    JSON.stringify({
      v: CURSOR_VERSION,
      d: cursor.direction,
      s: cursor.sortColumn,
      o: cursor.sortOrder,
      k: cursor.key,
      q: cursor.query,
    }),
  ).toString('base64url');
  return `${payload}.${checksumOf(payload)}`;
}

/** Why a cursor string was refused, or the cursor. */
function decodeCursor(text: string): { ok: true; cursor: PageCursor } | { ok: false; reason: string } {
  const notOurs = {
    ok: false as const,
    reason: 'is not a cursor this service issued: pass back a nextCursor or previousCursor exactly as answered',
  };
  const [payload, checksum, ...rest] = text.split('.');
  if (payload === undefined || checksum === undefined || rest.length > 0 || !/^[\w-]+$/.test(payload)) return notOurs;
  if (checksum !== checksumOf(payload)) {
    return {
      ok: false,
      reason: 'was changed after it was issued (its checksum does not match): pass it back exactly as answered',
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return notOurs;
  }
  const parsed = payloadSchema.safeParse(json);
  if (!parsed.success) {
    return { ok: false, reason: 'is from another version of this service: start again without a cursor' };
  }
  const { d, s, o, k, q } = parsed.data;
  return { ok: true, cursor: { direction: d, sortColumn: s, sortOrder: o, key: k, query: q } };
}

/**
 * The `cursor` query parameter: absent or blank is no cursor; a string is decoded and checked (its
 * checksum, its shape); a decoded cursor passes unchanged, so parsing parsed parameters again works.
 * Whether it fits the request (same list, filters and sort) is {@link checkCursorFits}'s question.
 */
export function cursorParam() {
  return z
    .union([z.string(), pageCursorSchema])
    .optional()
    .transform((value, context): PageCursor | undefined => {
      if (value === undefined || typeof value !== 'string') return value;
      const text = value.trim();
      if (text === '') return undefined;
      if (text.length > MAX_CURSOR_LENGTH) {
        context.addIssue({ code: 'custom', message: `must be at most ${MAX_CURSOR_LENGTH} characters` });
        return z.NEVER;
      }
      const decoded = decodeCursor(text);
      if (!decoded.ok) {
        context.addIssue({ code: 'custom', message: decoded.reason });
        return z.NEVER;
      }
      return decoded.cursor;
    });
}

/**
 * A digest of the list and every filter of a request (not its sort nor its page), lists sorted so
 * `dbcs=a,b` and `dbcs=b,a` are one query.
 */
function queryFingerprint(list: string, filters: Record<string, unknown>): string {
  const canonical = Object.keys(filters)
    .sort()
    .map((name) => {
      const value = filters[name];
      return [name, Array.isArray(value) ? [...value].sort() : (value ?? null)];
    });
  return createHash('sha256')
    .update(JSON.stringify([list, canonical]))
    .digest('hex')
    .slice(0, 16);
}

/** What a cursor of a list carries besides its position, so it is used only with its own query. */
export interface CursorContext {
  /** The API's name of the sort column. */
  readonly sortColumn: string;
  readonly sortOrder: SortOrder;
  /** The list's query fingerprint ({@link queryFingerprint}). */
  readonly query: string;
}

/** The parameters every list resolves: its sort, its page, its cursor, and its filters. */
interface ResolvedListParams {
  readonly sortColumn: string;
  readonly sortOrder: SortOrder;
  readonly pageNumber: number;
  readonly cursor?: PageCursor | undefined;
}

/**
 * The context the cursors of this request's answer carry; and, when the request came with a cursor,
 * the check that it fits: the same list, filters and sort, and no page number beyond 0 beside it.
 *
 * @throws InvalidQueryParamsError naming `cursor` (or `pageNumber`) and why, when it does not fit.
 */
export function checkedCursorContext(
  list: string,
  params: ResolvedListParams,
  keyColumns: readonly string[],
  what: string,
): CursorContext {
  const { sortColumn, sortOrder, pageNumber, cursor, ...filters } = params;
  const context = { sortColumn, sortOrder, query: queryFingerprint(list, filters) };
  if (cursor === undefined) return context;
  const refuse = (field: string, reason: string) => {
    throw new InvalidQueryParamsError(what, [
      { field, reason, value: field === 'cursor' ? '(the cursor given)' : pageNumber },
    ]);
  };
  if (pageNumber !== 0)
    refuse('pageNumber', 'cannot be given with a cursor: the cursor already says where the page is');
  if (cursor.sortColumn !== sortColumn || cursor.sortOrder !== sortOrder) {
    refuse(
      'cursor',
      `was issued for sortColumn=${cursor.sortColumn}&sortOrder=${cursor.sortOrder}: ask with that sort, or start again without a cursor`,
    );
  }
  if (cursor.query !== context.query || cursor.key.length !== keyColumns.length) {
    refuse('cursor', 'was issued for another list or other filters: ask with those, or start again without a cursor');
  }
  if (!cursor.key.every((value, i) => fitsColumn(keyColumns[i] ?? '', value))) {
    refuse('cursor', 'holds a position that does not fit its sort: pass it back exactly as answered');
  }
  return context;
}

/**
 * Whether a key value can be compared with its column without Postgres refusing it (a hand-made
 * cursor could carry anything): a boolean for `exists_in_gmc`, digits for the person id, a GMC
 * number for the GMC number, text or nothing for the rest.
 */
function fitsColumn(column: string, value: CursorKeyValue): boolean {
  if (column === 'gmc_reference_number') return typeof value === 'string';
  if (value === null) return true;
  if (column === 'exists_in_gmc') return typeof value === 'boolean';
  if (column === 'tcs_person_id') return typeof value === 'string' && /^\d{1,18}$/.test(value);
  return typeof value === 'string';
}
