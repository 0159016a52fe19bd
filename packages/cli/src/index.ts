/**
 * @changeflow/cli — the `changeflow` command on-call engineers use (DESIGN.md §1 step 7): status,
 * dead letters (list, show, replay, purge), re-publishing from the change log, migrations, topology,
 * sync. Each command is also a function taking its collaborators, for tools and tests.
 *
 * @example
 * const exitCode = await runCli(['status', '--json'], { env: process.env, stdout: process.stdout, stderr: process.stderr });
 */
export type { DlqListDependencies, DlqListOptions, DlqListResult } from './commands/dlq-list.js';
export { listDeadLetters, renderDeadLetterList } from './commands/dlq-list.js';
export type { DlqPurgeDependencies, DlqPurgeOptions, DlqPurgeResult } from './commands/dlq-purge.js';
export { purgeDeadLetters, renderPurge } from './commands/dlq-purge.js';
export type {
  DlqReplayDependencies,
  DlqReplayOptions,
  DlqReplayResult,
  ReplayMethod,
  ReplaySelection,
} from './commands/dlq-replay.js';
export { renderReplay, replayDeadLetters, replayExitCode } from './commands/dlq-replay.js';
export type { DlqShowDependencies, DlqShowOptions, DlqShowResult } from './commands/dlq-show.js';
export { renderDeadLetter, showDeadLetter } from './commands/dlq-show.js';
export type { MigrateDependencies, MigrateResult, MigrationStep, MigrationStepName } from './commands/migrate.js';
export { migrate, renderMigrate } from './commands/migrate.js';
export type { MoveTaskDependencies } from './commands/move-task.js';
export { MoveTaskUnsupportedError, runMoveTask } from './commands/move-task.js';
export type { RepublishDependencies, RepublishOptions, RepublishResult } from './commands/republish.js';
export { renderRepublish, republishChanges, republishExitCode } from './commands/republish.js';
export type { MissingQueue, QueueStatus, StatusDependencies, StatusReport, WorkerStatus } from './commands/status.js';
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
export type { DeadLetter } from './dead-letters.js';
export { DEAD_LETTER_ATTRIBUTES, REPLAYED_FROM_ATTRIBUTE } from './dead-letters.js';
export { AwsUnreachableError, DatabaseUnreachableError, SchemaMissingError, UsageError } from './errors.js';
export type { ExitCode } from './exit-codes.js';
export { EXIT_CODES } from './exit-codes.js';
export type { Output, OutputStreams } from './output.js';
export { createOutput } from './output.js';
export type { CliIo } from './program.js';
export { createProgram, runCli } from './program.js';
export type { Progress, ProgressOptions, ProgressTask } from './progress.js';
export { createProgress, silentProgress } from './progress.js';
export type { FailedMessage } from './queries/failed-messages.js';
export type { QueueDepth, SqsAccess, WorkerQueues } from './queues.js';
export type { RateLimiter } from './rate-limiter.js';
export { createRateLimiter } from './rate-limiter.js';
export { findWorker, SWEEPER_SEMAPHORE_KEY } from './workers.js';
