export { backoffSeconds } from './backoff.js';
export { Batcher } from './batcher.js';
export type { CloudFormationTemplate } from './cloudformation.js';
export { cloudFormationTemplate } from './cloudformation.js';
export type { DeadLetter } from './dead-letters/dead-letter-queue.js';
export {
  DEAD_LETTER_ATTRIBUTES,
  DeadLetterQueue,
  describeDeadLetter,
  REPLAYED_FROM_ATTRIBUTE,
  toDeadLetter,
} from './dead-letters/dead-letter-queue.js';
export { findWorker } from './dead-letters/find-worker.js';
export type { DlqListDependencies, DlqListOptions, DlqListResult } from './dead-letters/list-dead-letters.js';
export { listDeadLetters } from './dead-letters/list-dead-letters.js';
export type { MoveTaskDependencies } from './dead-letters/move-task.js';
export { MoveTaskUnsupportedError, runMoveTask } from './dead-letters/move-task.js';
export type { DlqPurgeDependencies, DlqPurgeOptions, DlqPurgeResult } from './dead-letters/purge-dead-letters.js';
export { purgeDeadLetters } from './dead-letters/purge-dead-letters.js';
export type { QueueDepth, SqsAccess, WorkerQueues } from './dead-letters/queues.js';
export { findQueueUrl, queueDepth, resolveWorkerQueues } from './dead-letters/queues.js';
export type {
  DlqReplayDependencies,
  DlqReplayOptions,
  DlqReplayResult,
  ReplayMethod,
  ReplaySelection,
} from './dead-letters/replay-dead-letters.js';
export { replayDeadLetters } from './dead-letters/replay-dead-letters.js';
export type { DlqShowDependencies, DlqShowOptions, DlqShowResult } from './dead-letters/show-dead-letter.js';
export { showDeadLetter } from './dead-letters/show-dead-letter.js';
export type {
  WorkerDeclaration,
  WorkerDeclarationInput,
  WorkerDefinition,
  WorkerDefinitionInput,
} from './define-worker.js';
export { declareWorker, defineWorker, workerDeclarationSchema } from './define-worker.js';
export { FatalError, TopologyError } from './errors.js';
export type { FailedMessagesRetentionOptions } from './failed-messages-retention.js';
export { failedMessagesRetentionOptionsSchema, failedMessagesRetentionStep } from './failed-messages-retention.js';
export type { ConsumerMetrics } from './metrics.js';
export { consumerMetrics } from './metrics.js';
export { CONSUMER_MIGRATION_TABLE, migrateConsumer } from './migrate-consumer.js';
export type {
  MissingQueue,
  PipelineStatus,
  PipelineStatusDependencies,
  QueueStatus,
  WorkerStatus,
} from './pipeline-status.js';
export { readPipelineStatus, SWEEPER_SEMAPHORE_KEY } from './pipeline-status.js';
export type { FailedMessage } from './queries/failed-messages.js';
export type { FailureRecord } from './queries/record-failure.js';
export { recordFailure } from './queries/record-failure.js';
export type { WorkerRuntime, WorkerRuntimeDependencies, WorkerRuntimeOptions } from './runtime.js';
export { createWorkerRuntime, workerRuntimeOptionsSchema } from './runtime.js';
export type { ConsumerDatabase, FailedMessagesTable } from './schema.js';
export { asConsumerDb } from './schema.js';
export type { ProvisionedWorker, WorkerTopology } from './topology.js';
export { provision, workerSemaphoreKey, workerTopology } from './topology.js';
export type {
  Handler,
  HandlerContext,
  HandlerResult,
  MessageOutcome,
  MessageProcessedEvent,
  WorkerRuntimeEvents,
} from './types.js';
