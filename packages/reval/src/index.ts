export { createRevalDailyJob, gmcNumbersAffectedOn } from './daily-job.js';
export type { RevalDailyJobOptions } from './daily-job.js';
export { DEFAULT_DESIGNATED_BODIES } from './designated-bodies.js';
export { DEFAULT_INDEX_SCHEMA, migrateRevalIndex, migrateRevalPrimary } from './migrate-reval.js';
export { REVAL_INDEX_TABLES } from './migrations/index-migrations.js';
export type { RevalIndexTable } from './migrations/index-migrations.js';
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
export { REVAL_OBJECT_TYPES } from './object-types.js';
export type { RevalObjectType } from './object-types.js';
export {
  connectionFailureInputSchema,
  gmcDoctorInputSchema,
  isoDateSchema,
  placementSchema,
  programmeMembershipSchema,
  recommendationInputSchema,
  traineeInputSchema,
} from './primary/inputs.js';
export type { ConnectionFailureInput, GmcDoctorInput, RecommendationInput, TraineeInput } from './primary/inputs.js';
export {
  deleteRecord,
  saveConnectionFailures,
  saveGmcDoctors,
  saveRecommendations,
  saveTrainees,
} from './primary/save-records.js';
export type { DeletableObjectType, WriteContext } from './primary/save-records.js';
export { affectedGmcNumbers } from './projection/affected-gmc-numbers.js';
export { loadSources } from './projection/load-sources.js';
export { projectGmcNumbers, toIndexRow } from './projection/project-gmc-numbers.js';
export type { ProjectionStores } from './projection/project-gmc-numbers.js';
export { createRevalIndexWorker } from './projection/reval-index-worker.js';
export type { RevalIndexWorkerOptions } from './projection/reval-index-worker.js';
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
