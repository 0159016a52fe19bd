export { jitteredBackoff } from './backoff.js';
export type { ChangeflowErrorCode } from './changeflow-error.js';
export { ChangeflowError, ConfigError, toError } from './changeflow-error.js';
export {
  AwsUnreachableError,
  DatabaseUnreachableError,
  describePostgresUrl,
  explainAwsError,
  explainPostgresError,
  QueueMissingError,
  SchemaMissingError,
  UsageError,
} from './operation-errors.js';
export { describeIssues, parseOptions } from './parse-options.js';
