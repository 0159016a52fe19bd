import type { DesignatedBody, GmcNumberSources, IsoDate, MasterDocument } from '../model.js';
import { assertIsoDate } from './calendar-dates.js';
import { deriveConnectionStatus, deriveExceptionReason, mergeGmcFields } from './gmc-fields.js';
import { isValidGmcNumber } from './gmc-number.js';
import { resolveGmcNumberClaims } from './gmc-number-claims.js';
import { derivePlacementGrade } from './placements.js';
import { deriveProgrammeFields, NO_PROGRAMME_FIELDS } from './programme-fields.js';
import { deriveGmcStatus, deriveTisStatus } from './recommendation-status.js';

/** What {@link buildMasterDocument} needs besides the sources. */
export interface MasterDocumentOptions {
  /** The date in Europe/London, `YYYY-MM-DD` (see `londonToday`). */
  today: IsoDate;
  /**
   * Which designated body each TCS programme owner answers to; first match wins. Required rather than
   * defaulted so an operator's table cannot be forgotten: pass `DEFAULT_DESIGNATED_BODIES` for REVAL.md's.
   */
  designatedBodies: readonly DesignatedBody[];
}

/**
 * Builds the master document of one GMC number from everything known about it, or null when it has
 * none: the GMC number is not valid (see `isValidGmcNumber`), or no claimant is a trainee and the GMC
 * has no doctor. A GMC doctor with no TCS person still gets a document.
 *
 * Decisions: the trainees in `sources` are taken to be those claiming `sources.gmcReferenceNumber`
 * (their own `gmcReferenceNumber` is not compared again); recommendations and the connection failure
 * likewise. `underNotice` for the recommendation rules is the GMC doctor's (null without one).
 *
 * @throws ChangeflowError `DATE_INVALID` when `today` is not `YYYY-MM-DD`
 * @example
 * const doc = buildMasterDocument(sources, { today: londonToday(new Date()), designatedBodies: DEFAULT_DESIGNATED_BODIES });
 */
export function buildMasterDocument(sources: GmcNumberSources, options: MasterDocumentOptions): MasterDocument | null {
  const { today, designatedBodies } = options;
  assertIsoDate(today, 'today');
  if (!isValidGmcNumber(sources.gmcReferenceNumber)) return null;
  const { trainee, conflictingTcsPersonIds } = resolveGmcNumberClaims(sources.trainees, today);
  const { doctor } = sources;
  if (trainee === null && doctor === null) return null;

  const programme =
    trainee === null
      ? NO_PROGRAMME_FIELDS
      : deriveProgrammeFields(trainee.programmeMemberships, today, designatedBodies);
  const gmc = mergeGmcFields(doctor, trainee);
  return {
    gmcReferenceNumber: sources.gmcReferenceNumber,
    tcsPersonId: trainee?.tcsPersonId ?? null,
    conflictingTcsPersonIds,
    doctorFirstName: gmc.doctorFirstName,
    doctorLastName: gmc.doctorLastName,
    submissionDate: gmc.submissionDate,
    programmeName: programme.programmeName,
    membershipType: programme.membershipType,
    membershipStartDate: programme.membershipStartDate,
    membershipEndDate: programme.membershipEndDate,
    curriculumEndDate: programme.curriculumEndDate,
    programmeOwner: programme.programmeOwner,
    tcsDesignatedBody: programme.tcsDesignatedBody,
    designatedBody: gmc.designatedBody,
    placementGrade: trainee === null ? null : derivePlacementGrade(trainee.placements, today),
    admin: gmc.admin,
    underNotice: gmc.underNotice,
    existsInGmc: gmc.existsInGmc,
    gmcStatus: deriveGmcStatus(sources.recommendations, gmc.underNotice, today),
    tisStatus: deriveTisStatus(sources.recommendations, gmc.underNotice, today),
    connectionStatus: deriveConnectionStatus(gmc.designatedBody),
    exceptionReason: deriveExceptionReason(sources.connectionFailure),
    lastUpdatedDate: gmc.lastUpdatedDate,
  };
}
