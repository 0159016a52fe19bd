export { changeInputSchema, InvalidChangeError } from './change-input.js';
export type { PackedMessage, PackLimits } from './message-codec.js';
export {
  decodeChangeMessageBody,
  encodeChangeMessageBody,
  MalformedMessageError,
  packBatches,
  packMessages,
  SNS_MAX_BATCH_ENTRIES,
  SNS_MAX_PAYLOAD_BYTES,
  toChangeMessage,
} from './message-codec.js';
export type { OutboxMetrics } from './metrics.js';
export { outboxMetrics } from './metrics.js';
export { migrateOutbox } from './migrate-outbox.js';
export { outboxMigrations } from './migrations/index.js';
export type { ChangeRecorder, Outbox, OutboxDependencies, OutboxOptions } from './outbox.js';
export { createOutbox } from './outbox.js';
export type { Progress, ProgressTask } from './progress.js';
export { silentProgress } from './progress.js';
export type {
  Publisher,
  PublisherDependencies,
  PublisherOptions,
  PublishPath,
  PublishResult,
  ResolvedPublisherOptions,
} from './publisher.js';
export { createPublisher, publisherOptionsSchema } from './publisher.js';
export type { ChangeRateBucket } from './queries/change-rates.js';
export { changeRates } from './queries/change-rates.js';
export { objectsChangedSinceSnapshot } from './queries/changes-since-snapshot.js';
export { countChanges } from './queries/count-changes.js';
export { deletePublished } from './queries/delete-published.js';
export { findUnpublished, unpublishedStats } from './queries/find-unpublished.js';
export type { ChangeLogFilter } from './queries/list-changes.js';
export { listChanges } from './queries/list-changes.js';
export { markPublished } from './queries/mark-published.js';
export { executePrepared } from './queries/prepared-statement.js';
export type { RateLimiter } from './rate-limiter.js';
export { createRateLimiter, waitForRate } from './rate-limiter.js';
export { recordChanges } from './record-changes.js';
export type { RecordedWrite, ReturningWrite, WriteChange } from './record-write.js';
export { recordWrite } from './record-write.js';
export type { RepublishDependencies, RepublishOptions, RepublishResult } from './republish-changes.js';
export { republishChanges } from './republish-changes.js';
export type { Retention, RetentionOptions, RetentionStep } from './retention.js';
export { createRetention, retentionOptionsSchema } from './retention.js';
export type { ChangesTable, OutboxDatabase } from './schema.js';
export { asOutboxDb } from './schema.js';
export type { Sweeper, SweeperDependencies, SweeperOptions } from './sweeper.js';
export { createSweeper, sweeperOptionsSchema } from './sweeper.js';
export { topicName } from './topology.js';
export type {
  ChangeInput,
  ChangeMessage,
  ChangeMessageBody,
  ChangeType,
  RecordedChange,
  RecordOptions,
} from './types.js';
