const NOT_GMC_NUMBERS = new Set(['', 'unknown', 'na', 'n/a']);

/** What a GMC number is made of once surrounding spaces and tabs are set aside: letters and digits. */
const GMC_NUMBER_CHARACTERS = /^[A-Za-z0-9]{1,50}$/;

/**
 * Whether `value` is a GMC number: 1 to 50 ASCII letters and digits once surrounding spaces and tabs
 * are set aside, not `unknown` or `na` (any case), and with no non-breaking space (U+00A0) anywhere
 * (REVAL.md "Primary data"). A trainee without one has no master document. The write API, the
 * NDJSON imports and the workers all judge GMC numbers by this one function.
 *
 * Decision: TCS holds GMC numbers of varying shapes (`7000001`, `A123456`), so no length or pattern
 * beyond letters and digits is required; but a space inside, punctuation (`n/a`, `1' OR '1'='1`,
 * `../x`), control and format characters (U+202E) are never part of one. The value is not
 * normalised: `" 1234567 "` passes and stays as given.
 */
export function isValidGmcNumber(value: string | null | undefined): value is string {
  if (value === null || value === undefined) return false;
  // Checked before trimming: String.prototype.trim removes U+00A0 too.
  if (value.includes('\u00a0')) return false;
  const trimmed = trimSpacesAndTabs(value);
  return !NOT_GMC_NUMBERS.has(trimmed.toLowerCase()) && GMC_NUMBER_CHARACTERS.test(trimmed);
}

/**
 * `value` without the ASCII spaces and tabs around it. Unlike `String.prototype.trim` it leaves
 * U+00A0 and other Unicode spaces in place, so a value that has one is still seen to have it.
 */
export function trimSpacesAndTabs(value: string): string {
  return value.replace(/^[ \t]+|[ \t]+$/g, '');
}

/** Why `value` cannot be a GMC number, in words for an error message. */
export const GMC_NUMBER_RULE =
  'is not a GMC number: 1-50 letters and digits, not "unknown", "na" or "n/a", and no non-breaking space';
