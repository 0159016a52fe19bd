import type { Weighted } from './random.js';

/**
 * The categories a generated doctor falls into, and how often each is drawn. The README's "What is
 * generated" table shows the same numbers; the variety test checks that each category appears.
 *
 * A *doctor* is one GMC number (or one TCS person whose GMC number is not one): its TCS persons, its GMC
 * record, its recommendations and its connection failure.
 */

/** What TCS holds for a doctor's (first) person, relative to `today`. */
export type ProgrammeScenario =
  /** One current membership (SUBSTANTIVE, LAT or FTSTA) with its placements. */
  | 'current'
  /** Two or three current memberships at once (so no reference membership). */
  | 'several-current'
  /** Only memberships that ended before yesterday (the programme is over). */
  | 'ended'
  /** Only a membership that starts in the future (and perhaps an old one). */
  | 'future'
  /** The membership and its last placement ended yesterday. */
  | 'ended-yesterday'
  /** A membership and its first placement start today (half of them right after one that ended yesterday). */
  | 'starts-today'
  /** A current VISITOR membership (an exception). */
  | 'visitor'
  /** A current MILITARY membership (never a discrepancy). */
  | 'military'
  /** A TCS person with no programme memberships or placements. */
  | 'no-programme'
  /** Only the GMC knows the doctor: no TCS person at all. */
  | 'gmc-only';

export const PROGRAMME_SCENARIO_SHARES: Weighted<ProgrammeScenario> = [
  ['current', 55],
  ['several-current', 6],
  ['ended', 10],
  ['future', 4],
  ['ended-yesterday', 4],
  ['starts-today', 4],
  ['visitor', 5],
  ['military', 5],
  ['no-programme', 3],
  ['gmc-only', 4],
];

/** The membership type of an ordinary (not VISITOR, not MILITARY) membership. */
export const MEMBERSHIP_TYPE_SHARES: Weighted<string> = [
  ['SUBSTANTIVE', 80],
  ['LAT', 10],
  ['FTSTA', 10],
];

/** Per cent of doctors with a TCS person whose GMC number is not one (empty, unknown, N/A, NBSP, …). */
export const INVALID_GMC_NUMBER_PERCENT = 3;
/** Per cent of TCS persons whose role contains dummy or placeholder (not trainees). */
export const NOT_TRAINEE_ROLE_PERCENT = 2;
/** Per cent of TCS persons with no role at all (still trainees). */
export const NO_ROLE_PERCENT = 3;
/** Per cent of doctors whose GMC number two or three TCS persons claim. */
export const SHARED_GMC_NUMBER_PERCENT = 3;
/** Per cent of doctors with programmes that also have an older, ended Foundation membership. */
export const EARLIER_FOUNDATION_PERCENT = 30;

/** What the GMC holds for a doctor with a valid GMC number. */
export type GmcState =
  /** Connected to the designated body of the doctor's local office. */
  | 'connected'
  /** Connected to another designated body than TCS's (a discrepancy). */
  | 'connected-elsewhere'
  /** In the GMC's list but with no designated body. */
  | 'no-designated-body'
  /** Disconnected by the GMC: `existsInGmc` false, no designated body. */
  | 'disconnected'
  /** No GMC record at all (TCS only). */
  | 'not-in-gmc';

export const GMC_STATE_SHARES: Weighted<GmcState> = [
  ['connected', 78],
  ['connected-elsewhere', 6],
  ['no-designated-body', 4],
  ['disconnected', 5],
  ['not-in-gmc', 7],
];

/** GMC states of a doctor TCS does not know (`gmc-only`): the GMC always has a record. */
export const GMC_ONLY_STATE_SHARES: Weighted<GmcState> = [
  ['connected', 80],
  ['no-designated-body', 10],
  ['disconnected', 10],
];

export const UNDER_NOTICE_SHARES: Weighted<'YES' | 'NO' | 'ON_HOLD' | null> = [
  ['YES', 20],
  ['NO', 68],
  ['ON_HOLD', 10],
  [null, 2],
];

/** The recommendations of a doctor with a GMC record. */
export type RecommendationScenario =
  | 'none'
  /** A draft: READY_TO_REVIEW (three in four) or DRAFT, with a type and no outcome. */
  | 'draft'
  /** A recommendation with neither type nor outcome. */
  | 'not-started'
  /** Submitted to the GMC, outcome UNDER_REVIEW. */
  | 'submitted'
  /** APPROVED within the last month (not yet past completed). */
  | 'approved'
  /** REJECTED. */
  | 'rejected'
  /** APPROVED more than a month ago, doctor under notice again: past completed. */
  | 'past-completed'
  /** APPROVED the day before "today minus one month", under notice: becomes past completed today. */
  | 'becomes-past-completed-today'
  /** A past-completed recommendation followed by a new READY_TO_REVIEW draft. */
  | 'past-completed-then-draft';

export const RECOMMENDATION_SCENARIO_SHARES: Weighted<RecommendationScenario> = [
  ['none', 50],
  ['draft', 10],
  ['not-started', 4],
  ['submitted', 10],
  ['approved', 6],
  ['rejected', 4],
  ['past-completed', 8],
  ['becomes-past-completed-today', 2],
  ['past-completed-then-draft', 6],
];

export const RECOMMENDATION_TYPE_SHARES: Weighted<'REVALIDATE' | 'DEFER' | 'NON_ENGAGEMENT'> = [
  ['REVALIDATE', 70],
  ['DEFER', 20],
  ['NON_ENGAGEMENT', 10],
];

/** Per cent of doctors with a valid GMC number whose last connect/disconnect request the GMC refused. */
export const CONNECTION_FAILURE_PERCENT = 4;
