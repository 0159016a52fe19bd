import type { ConnectionFailureInput, GmcDoctorInput, RecommendationInput } from '@changeflow/reval';
import { addDays, addMonths } from './dates.js';
import type { Random } from './random.js';
import {
  CONNECTION_FAILURE_PERCENT,
  type GmcState,
  RECOMMENDATION_TYPE_SHARES,
  type RecommendationScenario,
  UNDER_NOTICE_SHARES,
} from './shares.js';
import { CONNECTION_FAILURE_REASONS, REVALIDATION_OFFICERS } from './vocabulary.js';

/** What the GMC-side builders need to know about the doctor being generated. */
export interface GmcContext {
  rng: Random;
  today: string;
  gmcReferenceNumber: string;
  /** The name TCS knows the doctor by (the GMC's usually matches). */
  firstName: string;
  lastName: string;
  /** Code of the doctor's local office. */
  homeCode: string;
  /** Every designated body code, each once. */
  codes: readonly string[];
}

const UNDER_NOTICE_RECOMMENDATIONS: ReadonlySet<RecommendationScenario> = new Set([
  'past-completed',
  'becomes-past-completed-today',
  'past-completed-then-draft',
]);

/** The GMC's record of the doctor in `state` (null for `not-in-gmc`). */
export function buildGmcDoctor(
  context: GmcContext,
  state: GmcState,
  recommendations: RecommendationScenario,
): GmcDoctorInput | null {
  if (state === 'not-in-gmc') return null;
  const { rng, today } = context;
  // Past completed needs the doctor under notice again (REVAL.md), so those doctors are YES.
  const underNotice = UNDER_NOTICE_RECOMMENDATIONS.has(recommendations) ? 'YES' : rng.weighted(UNDER_NOTICE_SHARES);
  return {
    gmcReferenceNumber: context.gmcReferenceNumber,
    ...gmcName(context),
    submissionDate: addDays(today, submissionOffsetDays(rng, underNotice)),
    dateAdded: addDays(today, -rng.int(30, 3650)),
    underNotice,
    sanction: rng.weighted<string | null>([
      ['No', 95],
      [null, 3],
      ['Yes', 2],
    ]),
    designatedBodyCode: designatedBodyCodeOf(context, state),
    admin: rng.chance(0.45) ? rng.pick(REVALIDATION_OFFICERS) : null,
    existsInGmc: state !== 'disconnected',
    lastUpdatedDate: addDays(today, -rng.int(0, 90)),
  };
}

function gmcName(context: GmcContext): { doctorFirstName: string; doctorLastName: string } {
  const { rng, firstName, lastName } = context;
  const variant = rng.weighted([
    ['same', 88],
    ['upper-case', 6],
    ['changed', 6],
  ] as const);
  if (variant === 'upper-case') return { doctorFirstName: firstName, doctorLastName: lastName.toUpperCase() };
  // A name changed since TCS recorded it (marriage): the GMC's wins when the doctor exists in GMC.
  if (variant === 'changed') return { doctorFirstName: firstName, doctorLastName: `${lastName}-Ward` };
  return { doctorFirstName: firstName, doctorLastName: lastName };
}

/** The revalidation due date: within four months when under notice, later otherwise. */
function submissionOffsetDays(rng: Random, underNotice: GmcDoctorInput['underNotice']): number {
  switch (underNotice) {
    case 'YES':
      return rng.int(0, 120);
    case 'NO':
      return rng.int(121, 1800);
    case 'ON_HOLD':
      return rng.int(-60, 365);
    case null:
      return rng.int(0, 1800);
  }
}

function designatedBodyCodeOf(context: GmcContext, state: GmcState): string | null {
  switch (state) {
    case 'connected':
      return context.homeCode;
    case 'connected-elsewhere':
      return context.rng.pick(context.codes.filter((code) => code !== context.homeCode));
    default:
      return null;
  }
}

/** The recommendations of `scenario`, oldest first. `gmcDoctor` supplies the current due date. */
export function buildRecommendations(
  context: GmcContext,
  scenario: RecommendationScenario,
  gmcDoctor: GmcDoctorInput | null,
): RecommendationInput[] {
  const { rng, today } = context;
  const dueDate = gmcDoctor?.submissionDate ?? addDays(today, rng.int(0, 365));
  const recommendation = (fields: Omit<RecommendationInput, 'id' | 'gmcReferenceNumber' | 'admin'>) => ({
    id: uuidFrom(rng),
    gmcReferenceNumber: context.gmcReferenceNumber,
    ...fields,
    admin: rng.pick(REVALIDATION_OFFICERS),
  });
  const type = () => rng.weighted(RECOMMENDATION_TYPE_SHARES);
  const draft = (status: string) =>
    recommendation({ type: type(), status, outcome: null, gmcSubmissionDate: dueDate, actualSubmissionDate: null });
  // Submitted on `actual`, for the due date that held then (some weeks after).
  const submitted = (actual: string, status: string, outcome: RecommendationInput['outcome']) =>
    recommendation({
      type: type(),
      status,
      outcome,
      gmcSubmissionDate: addDays(actual, rng.int(0, 120)),
      actualSubmissionDate: actual,
    });
  const pastCompleted = () => submitted(addDays(today, -rng.int(45, 1100)), 'COMPLETED', 'APPROVED');

  switch (scenario) {
    case 'none':
      return [];
    case 'draft':
      return [draft(rng.chance(0.75) ? 'READY_TO_REVIEW' : 'DRAFT')];
    case 'not-started':
      return [
        recommendation({
          type: null,
          status: 'NOT_STARTED',
          outcome: null,
          gmcSubmissionDate: dueDate,
          actualSubmissionDate: null,
        }),
      ];
    case 'submitted': {
      const actual = addDays(today, -rng.int(1, 90));
      return [{ ...submitted(actual, 'SUBMITTED_TO_GMC', 'UNDER_REVIEW'), gmcSubmissionDate: dueDate }];
    }
    case 'approved':
      // Within the last month, so not yet past completed (one month before today is at least 28 days back).
      return [submitted(addDays(today, -rng.int(1, 27)), 'COMPLETED', 'APPROVED')];
    case 'rejected':
      return [submitted(addDays(today, -rng.int(1, 400)), 'COMPLETED', 'REJECTED')];
    case 'past-completed':
      return [pastCompleted()];
    case 'becomes-past-completed-today':
      // The last day that is not "before today minus one month" yesterday but is today.
      return [submitted(addDays(addMonths(today, -1), -1), 'COMPLETED', 'APPROVED')];
    case 'past-completed-then-draft':
      return [pastCompleted(), draft('READY_TO_REVIEW')];
  }
}

/** The GMC's refusal of the last connect/disconnect request, for a few doctors. */
export function buildConnectionFailure(context: GmcContext): ConnectionFailureInput | null {
  const { rng } = context;
  if (!rng.chance(CONNECTION_FAILURE_PERCENT / 100)) return null;
  return { gmcReferenceNumber: context.gmcReferenceNumber, reason: rng.pick(CONNECTION_FAILURE_REASONS) };
}

/** A version-4-shaped UUID drawn from `rng` (deterministic, unlike crypto.randomUUID). */
function uuidFrom(rng: Random): string {
  const hex = (digits: number) =>
    Array.from({ length: digits }, () => Math.floor(rng.next() * 16).toString(16)).join('');
  const variant = (8 + Math.floor(rng.next() * 4)).toString(16);
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${variant}${hex(3)}-${hex(12)}`;
}
