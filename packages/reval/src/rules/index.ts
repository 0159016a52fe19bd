export { addCalendarMonths, addDays, assertIsoDate, isIsoDate } from './calendar-dates.js';
export { becamePastCompletedToday, isAffectedToday } from './daily-selection.js';
export { DERIVED_INDEXES, derivedIndexes, isDiscrepancy, isException } from './derived-indexes.js';
export { findDesignatedBody } from './designated-body.js';
export { deriveConnectionStatus, deriveExceptionReason, mergeGmcFields } from './gmc-fields.js';
export { isValidGmcNumber } from './gmc-number.js';
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
  TCS_PERSON_ID_IN_PATH,
} from './record-ids.js';
export { isTrainee } from './trainee-role.js';
