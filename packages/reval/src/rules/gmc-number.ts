const NOT_GMC_NUMBERS = new Set(['', 'unknown', 'na', 'n/a']);

/**
 * Whether `value` is a GMC number: not empty, not `unknown`, `na` or `n/a` (any case, ignoring
 * surrounding whitespace) and with no non-breaking space (U+00A0) anywhere. A trainee without one has
 * no master document.
 *
 * Decision: only those forms are rejected; the value is not otherwise checked (TCS holds GMC numbers of
 * varying shapes), and it is not normalised: `" 1234567 "` passes and stays as given.
 */
export function isValidGmcNumber(value: string | null | undefined): value is string {
  if (value === null || value === undefined) return false;
  // Checked before trimming: String.prototype.trim removes U+00A0 too.
  if (value.includes('\u00a0')) return false;
  return !NOT_GMC_NUMBERS.has(value.trim().toLowerCase());
}
