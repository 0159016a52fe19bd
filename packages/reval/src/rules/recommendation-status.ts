import type { GmcStatus, IsoDate, Recommendation, TisStatus, UnderNotice } from '../model.js';
import { addCalendarMonths } from './calendar-dates.js';
import { by, type Comparator, descending, firstBy, thenBy } from './ordering.js';

const GMC_STATUS_BY_OUTCOME: Readonly<Record<NonNullable<Recommendation['outcome']>, GmcStatus>> = {
  APPROVED: 'Approved',
  REJECTED: 'Rejected',
  UNDER_REVIEW: 'Under Review',
};

/**
 * "Today minus one month": the same day one calendar month earlier, clamped to the end of that month
 * (`2026-03-31` → `2026-02-28`, `2024-03-31` → `2024-02-29`, `2026-03-15` → `2026-02-15`).
 */
export function oneMonthBefore(today: IsoDate): IsoDate {
  return addCalendarMonths(today, -1);
}

/**
 * Whether a recommendation is "past completed": outcome APPROVED, the doctor under notice (YES) and
 * `actualSubmissionDate` strictly before {@link oneMonthBefore} today. On `2026-03-31` a recommendation
 * submitted on `2026-02-27` is past completed, one submitted on `2026-02-28` is not yet.
 *
 * Decision: without an `actualSubmissionDate` it is never past completed.
 */
export function isPastCompleted(
  recommendation: Pick<Recommendation, 'outcome' | 'actualSubmissionDate'>,
  underNotice: UnderNotice | null,
  today: IsoDate,
): boolean {
  const { outcome, actualSubmissionDate } = recommendation;
  return (
    outcome === 'APPROVED' &&
    underNotice === 'YES' &&
    actualSubmissionDate !== null &&
    actualSubmissionDate < oneMonthBefore(today)
  );
}

/**
 * The recommendation `tisStatus` describes: the one with status READY_TO_REVIEW if any; otherwise the
 * latest by `actualSubmissionDate`, or none when that one is past completed (an older one is not
 * looked at).
 *
 * Decisions: several READY_TO_REVIEW → the highest id; a recommendation without `actualSubmissionDate`
 * counts as older than any with one; equal dates → the highest id. Ids compare as numbers when both
 * are all digits, otherwise as strings. Status matches READY_TO_REVIEW exactly.
 */
export function selectTisRecommendation(
  recommendations: readonly Recommendation[],
  underNotice: UnderNotice | null,
  today: IsoDate,
): Recommendation | null {
  const readyToReview = firstBy(
    recommendations.filter((r) => r.status === 'READY_TO_REVIEW'),
    highestIdFirst,
  );
  if (readyToReview !== null) return readyToReview;
  const latest = firstBy(recommendations, latestSubmittedFirst);
  return latest === null || isPastCompleted(latest, underNotice, today) ? null : latest;
}

/**
 * `tisStatus` of the recommendation {@link selectTisRecommendation} picks: NOT_STARTED when there is
 * none or it has neither type nor outcome; COMPLETED when its outcome is APPROVED or REJECTED;
 * SUBMITTED_TO_GMC when UNDER_REVIEW; DRAFT otherwise.
 */
export function deriveTisStatus(
  recommendations: readonly Recommendation[],
  underNotice: UnderNotice | null,
  today: IsoDate,
): TisStatus {
  const rec = selectTisRecommendation(recommendations, underNotice, today);
  if (rec === null || (rec.type === null && rec.outcome === null)) return 'NOT_STARTED';
  if (rec.outcome === 'APPROVED' || rec.outcome === 'REJECTED') return 'COMPLETED';
  if (rec.outcome === 'UNDER_REVIEW') return 'SUBMITTED_TO_GMC';
  return 'DRAFT';
}

/**
 * The recommendation `gmcStatus` describes: the latest by `gmcSubmissionDate`.
 *
 * Decisions: one without `gmcSubmissionDate` counts as older than any with one; equal dates → the
 * later `actualSubmissionDate` (missing counts as older), then the highest id.
 */
export function selectGmcRecommendation(recommendations: readonly Recommendation[]): Recommendation | null {
  return firstBy(recommendations, latestGmcSubmissionFirst);
}

/**
 * `gmcStatus`: the outcome of {@link selectGmcRecommendation}'s pick as "Approved" / "Rejected" /
 * "Under Review"; null when there is none, or it is past completed, has no `actualSubmissionDate`
 * (a draft) or has no outcome.
 */
export function deriveGmcStatus(
  recommendations: readonly Recommendation[],
  underNotice: UnderNotice | null,
  today: IsoDate,
): GmcStatus | null {
  const rec = selectGmcRecommendation(recommendations);
  if (rec === null || rec.outcome === null || rec.actualSubmissionDate === null) return null;
  if (isPastCompleted(rec, underNotice, today)) return null;
  return GMC_STATUS_BY_OUTCOME[rec.outcome];
}

const highestIdFirst: Comparator<Recommendation> = (a, b) => compareIds(b.id, a.id);

const latestSubmittedFirst = thenBy<Recommendation>(
  by((r) => r.actualSubmissionDate, descending),
  highestIdFirst,
);

const latestGmcSubmissionFirst = thenBy<Recommendation>(
  by((r) => r.gmcSubmissionDate, descending),
  by((r) => r.actualSubmissionDate, descending),
  highestIdFirst,
);

const DIGITS = /^\d+$/;

function compareIds(a: string, b: string): number {
  if (DIGITS.test(a) && DIGITS.test(b)) {
    const difference = BigInt(a) - BigInt(b);
    if (difference !== 0n) return difference < 0n ? -1 : 1;
  }
  return a === b ? 0 : a < b ? -1 : 1;
}
