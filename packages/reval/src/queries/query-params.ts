import { ChangeflowError } from '@changeflow/errors';
import { z } from 'zod';

/**
 * The pieces the query-parameter schemas share. Each takes what a query string gives (a string, a
 * repeated parameter's array, or nothing) and also what the schema itself produces (numbers,
 * booleans, arrays), so parsing already-parsed parameters again changes nothing.
 */

/** Rows in one page of any reval query (REVAL.md "Queries"). */
export const PAGE_SIZE = 20;

/** The highest page number accepted: far past any real index, but small enough that the offset stays exact. */
const MAX_PAGE_NUMBER = 1_000_000;

/** Most values a list parameter (`dbcs`, `tisStatus`, …) may carry. */
const MAX_LIST_VALUES = 100;

/** Longest free-text value (`searchQuery`, `programmeName`, `admin`). */
const MAX_TEXT_LENGTH = 200;

/** `asc` or `desc`. */
export type SortOrder = 'asc' | 'desc';

/** One bad query parameter: which, why, and the value it had. */
export interface QueryParamIssue {
  /** The parameter's name as the query string spells it, e.g. `sortColumn`. */
  field: string;
  /** Why it was refused, e.g. `must be one of: submissionDate, doctorFirstName`. */
  reason: string;
  /** The value as given (after the query string's parsing), for the message. */
  value: unknown;
}

/** What {@link parseQueryParams} answers: the resolved parameters, or every issue found. */
export type QueryParamsResult<T> = { ok: true; params: T } | { ok: false; issues: QueryParamIssue[] };

/**
 * Raised by the query functions when handed parameters their schema refuses. The HTTP layer should
 * validate first with {@link parseQueryParams} and answer 400 with `issues`; this error means a caller
 * skipped that.
 */
export class InvalidQueryParamsError extends ChangeflowError {
  /** Every bad parameter, in schema order. */
  readonly issues: readonly QueryParamIssue[];

  constructor(what: string, issues: readonly QueryParamIssue[]) {
    const detail = issues
      .map((issue) => `${issue.field} = ${JSON.stringify(issue.value) ?? 'undefined'}: ${issue.reason}`)
      .join('; ');
    super('QUERY_PARAMS_INVALID', `invalid ${what} parameters: ${detail}; fix them and ask again`);
    this.issues = issues;
  }
}

/**
 * Validates query parameters with one of the exported schemas, filling defaults. Returns the issues
 * rather than throwing, since a bad query string is an expected outcome (the HTTP layer answers 400).
 *
 * @example
 * const parsed = parseQueryParams(recommendationSearchParamsSchema, request.query);
 * if (!parsed.ok) return reply.code(400).send({ errors: parsed.issues });
 * return searchRecommendations(reader, parsed.params);
 */
export function parseQueryParams<S extends z.ZodType>(schema: S, input: unknown): QueryParamsResult<z.output<S>> {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return { ok: true, params: parsed.data };
  return { ok: false, issues: parsed.error.issues.map((issue) => toQueryParamIssue(issue, input)) };
}

/** {@link parseQueryParams}, throwing {@link InvalidQueryParamsError} on any issue. */
export function parseQueryParamsOrThrow<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const parsed = parseQueryParams(schema, input);
  if (!parsed.ok) throw new InvalidQueryParamsError(what, parsed.issues);
  return parsed.params;
}

function toQueryParamIssue(issue: z.core.$ZodIssue, input: unknown): QueryParamIssue {
  const [first, ...rest] = issue.path;
  const field = first === undefined ? '(query)' : String(first);
  const value =
    first !== undefined && input !== null && typeof input === 'object'
      ? (input as Record<PropertyKey, unknown>)[first]
      : input;
  // A list item's issue names the list and says which item, so the field stays a parameter name.
  const reason = rest.length > 0 ? `item ${rest.join('.')}: ${issue.message}` : issue.message;
  return { field, reason, value };
}

/** Trims a text value; blank or absent is `undefined`, so `?programmeName=` means "no filter". */
function blankToUndefined(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

/** An optional free-text parameter: trimmed, blank means absent, at most {@link MAX_TEXT_LENGTH} characters. */
export function optionalText() {
  return z
    .string()
    .optional()
    .transform(blankToUndefined)
    .pipe(z.string().max(MAX_TEXT_LENGTH, `must be at most ${MAX_TEXT_LENGTH} characters`).optional());
}

/**
 * A list parameter: comma-separated (`dbcs=1-1RUZV1D,1-1RUZV6H`), repeated (`dbcs=a&dbcs=b`) or
 * both. Values are trimmed and blanks dropped, so an absent or empty parameter is `[]`.
 */
export function csvList<T extends z.ZodType<string, string>>(item: T) {
  return z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((value) =>
      (value === undefined ? [] : Array.isArray(value) ? value : [value])
        .flatMap((part) => part.split(','))
        .map((part) => part.trim())
        .filter((part) => part !== ''),
    )
    .pipe(z.array(item).max(MAX_LIST_VALUES, `must have at most ${MAX_LIST_VALUES} values`));
}

/** A designated body code such as `1-1RUZV1D`. Not checked against a table: the table is data (REVAL.md). */
export const designatedBodyCode = z
  .string()
  .max(64, 'must be a designated body code (at most 64 characters)')
  .regex(/^[A-Za-z0-9-]+$/, 'must be a designated body code such as 1-1RUZV1D (letters, digits and "-")');

/**
 * One of `values`, matched case-insensitively and answered in its canonical spelling, so
 * `tisStatus=draft` and `gmcStatus=under review` work.
 */
export function caseInsensitiveEnum<const V extends readonly [string, ...string[]]>(values: V) {
  const byLowerCase = new Map(values.map((value) => [value.toLowerCase(), value]));
  return z
    .string()
    .transform((value) => byLowerCase.get(value.toLowerCase()) ?? value)
    .pipe(z.enum(values, { error: `must be one of: ${values.join(', ')}` }));
}

/** The page number, from 0; absent or blank is 0. */
export function pageNumber() {
  return z
    .union([z.number(), z.string()])
    .optional()
    .transform((value) => {
      if (typeof value === 'number') return value;
      const text = blankToUndefined(value);
      return text === undefined ? 0 : /^\d+$/.test(text) ? Number(text) : Number.NaN;
    })
    .pipe(
      z
        .number({ error: 'must be a whole number from 0' })
        .int('must be a whole number from 0')
        .min(0, 'must be a whole number from 0')
        .max(MAX_PAGE_NUMBER, `must be at most ${MAX_PAGE_NUMBER}`),
    );
}

/** `asc` (any case) is ascending; anything else, absent included, is descending (REVAL.md). */
export function sortOrder() {
  return z
    .string()
    .optional()
    .transform((value): SortOrder => (value?.trim().toLowerCase() === 'asc' ? 'asc' : 'desc'));
}

/** A sort column among `columns`; absent or blank is `defaultColumn`; anything else is refused, naming the accepted ones. */
export function sortColumn<const V extends readonly [string, ...string[]]>(columns: V, defaultColumn: V[number]) {
  return z
    .string()
    .optional()
    .transform((value) => blankToUndefined(value) ?? defaultColumn)
    .pipe(z.enum(columns, { error: `must be one of: ${columns.join(', ')}` }));
}

/** A yes/no flag: `true`/`false` in any case, or a boolean; absent or blank is `false`. */
export function flag() {
  return z
    .union([z.boolean(), z.string()])
    .optional()
    .transform((value) => {
      if (typeof value === 'boolean') return value;
      const text = blankToUndefined(value)?.toLowerCase();
      if (text === undefined || text === 'false') return false;
      return text === 'true' ? true : value;
    })
    .pipe(z.boolean({ error: 'must be true or false' }));
}

/** An optional calendar date `YYYY-MM-DD` (a real date: no 2024-02-30); blank means absent. */
export function optionalDate() {
  return z
    .string()
    .optional()
    .transform(blankToUndefined)
    .pipe(z.iso.date({ error: 'must be a date YYYY-MM-DD' }).optional());
}
