import { ChangeflowError } from '@changeflow/errors';
import type { IsoDate } from '../model.js';

// One formatter for the process: constructing Intl formatters is comparatively slow.
const londonDate = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/**
 * The calendar date in Europe/London at the instant `now`, as `YYYY-MM-DD`: the `today` every rule takes.
 * Follows British Summer Time, so `2026-07-15T23:30Z` is already `2026-07-16` while
 * `2026-01-15T23:30Z` is still `2026-01-15`.
 *
 * @example const today = londonToday(new Date());
 * @throws ChangeflowError `DATE_INVALID` when `now` is an invalid Date
 */
export function londonToday(now: Date): IsoDate {
  if (Number.isNaN(now.getTime())) {
    throw new ChangeflowError('DATE_INVALID', 'londonToday(now): now is an invalid Date: pass new Date()');
  }
  const parts = londonDate.formatToParts(now);
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year').padStart(4, '0')}-${part('month')}-${part('day')}`;
}
