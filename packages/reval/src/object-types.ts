/**
 * The object types reval records changes for; each is an SNS topic `<prefix>-<objectType>`.
 * `gmc-number` is not primary data: the daily job records it to have a GMC number's documents
 * recomputed. `sync-job` carries the steps of a full sync to the sync worker.
 */
export const REVAL_OBJECT_TYPES = {
  trainee: 'trainee',
  gmcDoctor: 'gmc-doctor',
  recommendation: 'recommendation',
  connectionFailure: 'connection-failure',
  gmcNumber: 'gmc-number',
  syncJob: 'sync-job',
} as const;

export type RevalObjectType = (typeof REVAL_OBJECT_TYPES)[keyof typeof REVAL_OBJECT_TYPES];
