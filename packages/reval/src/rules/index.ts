export { addCalendarMonths, addDays, assertIsoDate, isIsoDate } from './calendar-dates.js';
export { becamePastCompletedToday, isAffectedToday } from './daily-selection.js';
export {
  DERIVED_INDEXES,
  derivedIndexes,
  FOUNDATION_YEAR_1_GRADE,
  isDiscrepancy,
  isException,
} from './derived-indexes.js';
export { findDesignatedBody } from './designated-body.js';
export type { GmcFields } from './gmc-fields.js';
export { deriveConnectionStatus, deriveExceptionReason, mergeGmcFields } from './gmc-fields.js';
export { GMC_NUMBER_RULE, isValidGmcNumber, trimSpacesAndTabs } from './gmc-number.js';
export type { GmcNumberClaim } from './gmc-number-claims.js';
export { resolveGmcNumberClaims } from './gmc-number-claims.js';
export { londonToday } from './london-today.js';
export type { MasterDocumentOptions } from './master-document.js';
export { buildMasterDocument } from './master-document.js';
export {
  currentMemberships,
  hasCurrentMembership,
  isCurrentMembership,
  isEndedMembership,
  latestCurriculumEndDate,
  referenceMembership,
} from './memberships.js';
export { derivePlacementGrade, isCurrentPlacement } from './placements.js';
export type { ProgrammeFields } from './programme-fields.js';
export { deriveProgrammeFields } from './programme-fields.js';
export {
  deriveGmcStatus,
  deriveTisStatus,
  isPastCompleted,
  oneMonthBefore,
  selectGmcRecommendation,
  selectTisRecommendation,
} from './recommendation-status.js';
export {
  hasControlOrFormatCharacter,
  isValidRecommendationId,
  RECOMMENDATION_ID,
  RECOMMENDATION_ID_RULE,
  TCS_PERSON_ID_IN_PATH,
} from './record-ids.js';
export { isTrainee } from './trainee-role.js';
