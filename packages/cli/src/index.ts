/**
 * @changeflow/cli — the `changeflow` command on-call engineers use (DESIGN.md §1 step 7): status,
 * dead letters (list, show, replay, purge), re-publishing from the change log, migrations, topology,
 * sync. Each command is also a function taking its collaborators, for tools and tests.
 *
 * @example
 * const exitCode = await runCli(['status', '--json'], { env: process.env, stdout: process.stdout, stderr: process.stderr });
 */
// The dead-letter and republish operations live in @changeflow/consumer and @changeflow/outbox (the
// console calls them too); they are re-exported here so the CLI's API stays what it was.
export type {
  DeadLetter,
  DlqListDependencies,
  DlqListOptions,
  DlqListResult,
  DlqPurgeDependencies,
  DlqPurgeOptions,
  DlqPurgeResult,
  DlqReplayDependencies,
  DlqReplayOptions,
  DlqReplayResult,
  DlqShowDependencies,
  DlqShowOptions,
  DlqShowResult,
  FailedMessage,
  MissingQueue,
  MoveTaskDependencies,
  QueueDepth,
  QueueStatus,
  ReplayMethod,
  ReplaySelection,
  SqsAccess,
  WorkerQueues,
  WorkerStatus,
} from '@changeflow/consumer';
export {
  DEAD_LETTER_ATTRIBUTES,
  findWorker,
  listDeadLetters,
  MoveTaskUnsupportedError,
  purgeDeadLetters,
  REPLAYED_FROM_ATTRIBUTE,
  replayDeadLetters,
  runMoveTask,
  SWEEPER_SEMAPHORE_KEY,
  showDeadLetter,
} from '@changeflow/consumer';
export {
  AwsUnreachableError,
  DatabaseUnreachableError,
  QueueMissingError,
  SchemaMissingError,
  UsageError,
} from '@changeflow/errors';
export type {
  Progress,
  ProgressTask,
  RateLimiter,
  RepublishDependencies,
  RepublishOptions,
  RepublishResult,
} from '@changeflow/outbox';
export { createRateLimiter, republishChanges, silentProgress } from '@changeflow/outbox';
export { renderDeadLetterList } from './commands/dlq-list.js';
export { renderPurge } from './commands/dlq-purge.js';
export { renderReplay, replayExitCode } from './commands/dlq-replay.js';
export { renderDeadLetter } from './commands/dlq-show.js';
export type { MigrateDependencies, MigrateResult, MigrationStep, MigrationStepName } from './commands/migrate.js';
export { migrate, renderMigrate } from './commands/migrate.js';
export { renderRepublish, republishExitCode } from './commands/republish.js';
export type { StatusDependencies, StatusReport } from './commands/status.js';
export { readStatus, renderStatus } from './commands/status.js';
export type { SyncDependencies, SyncJobAnswer, SyncOptions, SyncResult } from './commands/sync.js';
export { RepositoryServiceError, renderSync, requestSync, syncExitCode, syncJobAnswerSchema } from './commands/sync.js';
export type { AppliedTopologyResult, TopologyResult } from './commands/topology.js';
export {
  applyTopology,
  describeTopology,
  renderAppliedTopology,
  renderTopology,
  topologyTemplate,
} from './commands/topology.js';
export type { CliConfig, ConfigOverrides } from './config.js';
export { CLI_VARIABLES, loadConfig } from './config.js';
export type { ExitCode } from './exit-codes.js';
export { EXIT_CODES } from './exit-codes.js';
export type { Output, OutputStreams } from './output.js';
export { createOutput } from './output.js';
export type { CliIo } from './program.js';
export { createProgram, runCli } from './program.js';
export type { ProgressOptions } from './progress.js';
export { createProgress } from './progress.js';
