import type { DesignatedBody, IsoDate, MasterDocument, ProgrammeMembership } from '../model.js';
import { findDesignatedBody } from './designated-body.js';
import { currentMemberships, latestCurriculumEndDate, referenceMembership } from './memberships.js';
import { joinDistinct } from './text.js';

/** The master document's fields that come from a trainee's programme memberships. */
export type ProgrammeFields = Pick<
  MasterDocument,
  | 'programmeName'
  | 'membershipType'
  | 'membershipStartDate'
  | 'membershipEndDate'
  | 'curriculumEndDate'
  | 'programmeOwner'
  | 'tcsDesignatedBody'
>;

/** Programme fields of someone with no (reference) membership: all null. */
export const NO_PROGRAMME_FIELDS: Readonly<ProgrammeFields> = Object.freeze({
  programmeName: null,
  membershipType: null,
  membershipStartDate: null,
  membershipEndDate: null,
  curriculumEndDate: null,
  programmeOwner: null,
  tcsDesignatedBody: null,
});

/**
 * The programme fields: `programmeName` joins the current memberships' names with `" | "` (or, with
 * none current, is the reference membership's name); the rest come from the reference membership
 * (see {@link referenceMembership}) and are null without one; `curriculumEndDate` is its latest
 * curriculum end date and `tcsDesignatedBody` the code its programme owner answers to.
 *
 * Decision: a programme name shared by several current memberships is listed once; names are in the
 * order of {@link currentMemberships} (start date, then name).
 */
export function deriveProgrammeFields(
  memberships: readonly ProgrammeMembership[],
  today: IsoDate,
  designatedBodies: readonly DesignatedBody[],
): ProgrammeFields {
  const reference = referenceMembership(memberships, today);
  const currentNames = joinDistinct(currentMemberships(memberships, today).map((m) => m.programmeName));
  if (reference === null) return { ...NO_PROGRAMME_FIELDS, programmeName: currentNames };
  return {
    programmeName: currentNames ?? reference.programmeName,
    membershipType: reference.membershipType,
    membershipStartDate: reference.startDate,
    membershipEndDate: reference.endDate,
    curriculumEndDate: latestCurriculumEndDate(reference),
    programmeOwner: reference.programmeOwner,
    tcsDesignatedBody: findDesignatedBody(reference.programmeOwner, designatedBodies),
  };
}
