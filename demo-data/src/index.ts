export type { CommandLine, CommandLineRun } from './command-line.js';
export { COMMAND_LINE_DEFAULTS, readCommandLine, USAGE_EXIT_CODE } from './command-line.js';
export { addDays, addMonths, londonToday } from './dates.js';
export type { LoadErrorCode } from './errors.js';
export { LoadError } from './errors.js';
export type { GenerateOptions, ResolvedGenerateOptions } from './generate.js';
export {
  generateDoctors,
  generateOptionsSchema,
  generateRecords,
  MAX_DOCTORS,
  recordsOf,
  resolveGenerateOptions,
} from './generate.js';
export type { KindSummary, LoadOptions, LoadRuntime, LoadSummary, RejectedLine } from './load.js';
export {
  BULK_IMPORT_PATHS,
  CONNECTION_FAILURE_PATH,
  formatSummary,
  loadDemoData,
  loadOptionsSchema,
  MAX_REPORTED_ERRORS,
} from './load.js';
export { ndjsonStream } from './ndjson.js';
export type { ProgressReporter } from './progress.js';
export { createProgress, silentProgress } from './progress.js';
export type { GmcState, ProgrammeScenario, RecommendationScenario } from './shares.js';
export {
  CONNECTION_FAILURE_PERCENT,
  EARLIER_FOUNDATION_PERCENT,
  GMC_ONLY_STATE_SHARES,
  GMC_STATE_SHARES,
  INVALID_GMC_NUMBER_PERCENT,
  MEMBERSHIP_TYPE_SHARES,
  NO_ROLE_PERCENT,
  NOT_TRAINEE_ROLE_PERCENT,
  PROGRAMME_SCENARIO_SHARES,
  RECOMMENDATION_SCENARIO_SHARES,
  RECOMMENDATION_TYPE_SHARES,
  SHARED_GMC_NUMBER_PERCENT,
  UNDER_NOTICE_SHARES,
} from './shares.js';
export type { DemoDoctor, DemoProfile, DemoRecordKind, DemoRecords } from './types.js';
export { DEMO_RECORD_KINDS } from './types.js';
export type { WriteFilesOptions, WrittenFile } from './write-files.js';
export { fileForKind, writeDemoFiles, writeFilesOptionsSchema } from './write-files.js';
