export type { RevalDailyJobOptions } from './daily-job.js';
export { createRevalDailyJob, DEFAULT_DAILY_JOB_SCHEDULE, gmcNumbersAffectedOn } from './daily-job.js';
export { DEFAULT_DESIGNATED_BODIES } from './designated-bodies.js';
export { DEFAULT_INDEX_SCHEMA, migrateRevalIndex, migrateRevalPrimary } from './migrate-reval.js';
export type { RevalIndexTable } from './migrations/index-migrations.js';
export { REVAL_INDEX_TABLES } from './migrations/index-migrations.js';
export type {
  ConnectionFailure,
  Curriculum,
  DerivedIndex,
  DesignatedBody,
  GmcDoctor,
  GmcNumberSources,
  GmcStatus,
  IsoDate,
  MasterDocument,
  Placement,
  ProgrammeMembership,
  Recommendation,
  RecommendationOutcome,
  RecommendationType,
  TisStatus,
  Trainee,
  UnderNotice,
} from './model.js';
export type { RevalObjectType } from './object-types.js';
export { REVAL_OBJECT_TYPES } from './object-types.js';
export type { ConnectionFailureInput, GmcDoctorInput, RecommendationInput, TraineeInput } from './primary/inputs.js';
export {
  connectionFailureInputSchema,
  gmcDoctorInputSchema,
  gmcNumberSchema,
  isoDateSchema,
  recommendationIdSchema,
  recommendationInputSchema,
  traineeInputSchema,
} from './primary/inputs.js';
export type { DeletableObjectType, WriteContext } from './primary/save-records.js';
export {
  deleteRecord,
  saveConnectionFailures,
  saveGmcDoctors,
  saveRecommendations,
  saveTrainees,
} from './primary/save-records.js';
export type { ProjectionStores } from './projection/project-gmc-numbers.js';
export { projectGmcNumbers } from './projection/project-gmc-numbers.js';
export type { RevalIndexWorkerOptions } from './projection/reval-index-worker.js';
export { createRevalIndexWorker } from './projection/reval-index-worker.js';
export type {
  ConnectionIndex,
  ConnectionSearchParams,
  ConnectionSearchResult,
  DoctorInIndexes,
  IndexDocumentRow,
  QueryParamIssue,
  RecommendationSearchParams,
  RecommendationSearchResult,
} from './queries/index.js';
export {
  CONNECTION_INDEXES,
  CONNECTION_SORT_COLUMNS,
  connectionSearchParamsSchema,
  InvalidQueryParamsError,
  PAGE_SIZE,
  RECOMMENDATION_SORT_COLUMNS,
  recommendationSearchParamsSchema,
} from './queries/index.js';
export type { RevalQueries } from './queries/reval-queries.js';
export { createRevalQueries } from './queries/reval-queries.js';
export { createRevalWorkers, REVAL_WORKERS } from './reval-workers.js';
export type { MasterDocumentOptions } from './rules/index.js';
export {
  addCalendarMonths,
  addDays,
  becamePastCompletedToday,
  buildMasterDocument,
  DERIVED_INDEXES,
  derivedIndexes,
  deriveGmcStatus,
  deriveTisStatus,
  hasControlOrFormatCharacter,
  isAffectedToday,
  isDiscrepancy,
  isException,
  isPastCompleted,
  isTrainee,
  isValidGmcNumber,
  isValidRecommendationId,
  londonToday,
  referenceMembership,
  TCS_PERSON_ID_IN_PATH,
} from './rules/index.js';
export type {
  IndexDocumentTable,
  RevalConnectionFailureTable,
  RevalDatabase,
  RevalGmcDoctorTable,
  RevalIndexDatabase,
  RevalObjectGmcTable,
  RevalRecommendationTable,
  RevalTraineeTable,
} from './store/schema.js';
export { untypedDb } from './store/schema.js';
export type { RevalSyncWorkerDependencies, RevalSyncWorkerTuning } from './sync/reval-sync-worker.js';
export { createRevalSyncWorker } from './sync/reval-sync-worker.js';
export type { SyncJob, SyncStep } from './sync/sync-jobs.js';
export { getSyncJob, latestSyncJob, listSyncJobs, SYNC_STEPS, startSync } from './sync/sync-jobs.js';
export type { IndexDifference } from './verify/index-differences.js';
export { indexDifferences, projectAllGmcNumbers } from './verify/index-differences.js';
