import type { IsoDate, Recommendation, Trainee, UnderNotice } from '../model.js';
import { addDays } from './calendar-dates.js';
import { isPastCompleted } from './recommendation-status.js';

/**
 * Whether the daily job must record a change for a TCS person: one of their programme memberships or
 * placements started today or ended yesterday, so whether it is current changed overnight.
 *
 * @throws ChangeflowError `DATE_INVALID` when `today` is not `YYYY-MM-DD`
 */
export function isAffectedToday(
  trainee: Pick<Trainee, 'programmeMemberships' | 'placements'>,
  today: IsoDate,
): boolean {
  const yesterday = addDays(today, -1);
  const changedOvernight = (period: { startDate: IsoDate | null; endDate: IsoDate | null }): boolean =>
    period.startDate === today || period.endDate === yesterday;
  return trainee.programmeMemberships.some(changedOvernight) || trainee.placements.some(changedOvernight);
}

/**
 * Whether the daily job must record a change for a recommendation: it is past completed today (see
 * `isPastCompleted`) but was not yesterday. Because "one month before" is clamped at month end, on
 * some days (e.g. 1 March) several submission dates become past completed at once; each becomes so
 * on exactly one day.
 */
export function becamePastCompletedToday(
  recommendation: Pick<Recommendation, 'outcome' | 'actualSubmissionDate'>,
  underNotice: UnderNotice | null,
  today: IsoDate,
): boolean {
  return (
    isPastCompleted(recommendation, underNotice, today) &&
    !isPastCompleted(recommendation, underNotice, addDays(today, -1))
  );
}
