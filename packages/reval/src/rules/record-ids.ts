/**
 * What the ids of primary records may contain. The write API's path parameters and bodies, the
 * NDJSON imports and the workers all use these, so an id the API accepted is one the workers
 * project, and nothing else is stored.
 */

/**
 * A recommendation id: 1 to 100 ASCII letters, digits, `.`, `_`, `:` and `-`, starting with a letter
 * or digit. Decision: enough for UUIDs and the ids other systems mint (`rec-1`, `2026:4711`), while
 * a path (`../x`, `a/b`), spaces, quotes and control or format characters (U+202E) are refused: an
 * id goes into URLs, logs and CLI output, where those mislead.
 */
export const RECOMMENDATION_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

/** Why a value is not a recommendation id, in words for an error message. */
export const RECOMMENDATION_ID_RULE =
  'is not a recommendation id: 1-100 letters, digits, ".", "_", ":" or "-", starting with a letter or digit';

/** Whether `value` is a recommendation id ({@link RECOMMENDATION_ID}). */
export function isValidRecommendationId(value: string): boolean {
  return RECOMMENDATION_ID.test(value);
}

/**
 * A TCS person id in a path: a positive whole number in decimal, without a sign or leading zeros,
 * of at most 15 digits (so it stays exact as a JSON number). In a body it is a positive integer.
 */
export const TCS_PERSON_ID_IN_PATH = /^[1-9]\d{0,14}$/;

/**
 * Control characters (Unicode category Cc: C0, DEL, C1) and the invisible format characters that
 * reorder or hide text (Cf: U+200B zero-width space, U+202E right-to-left override, U+FEFF, …).
 * None belongs in an id or a GMC number; NUL also cannot be stored by Postgres.
 */
const CONTROL_OR_FORMAT = /[\p{Cc}\p{Cf}]/u;

/** Whether `value` holds a control or invisible format character ({@link CONTROL_OR_FORMAT}). */
export function hasControlOrFormatCharacter(value: string): boolean {
  return CONTROL_OR_FORMAT.test(value);
}
