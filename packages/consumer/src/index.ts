export { backoffSeconds } from './backoff.js';
export type { CloudFormationTemplate } from './cloudformation.js';
export { cloudFormationTemplate } from './cloudformation.js';
export type {
  WorkerDeclaration,
  WorkerDeclarationInput,
  WorkerDefinition,
  WorkerDefinitionInput,
} from './define-worker.js';
export { declareWorker, defineWorker, workerDeclarationSchema } from './define-worker.js';
export { FatalError, TopologyError } from './errors.js';
export type { ConsumerMetrics } from './metrics.js';
export { consumerMetrics } from './metrics.js';
export type { FailureRecord } from './queries/record-failure.js';
export { recordFailure } from './queries/record-failure.js';
export type { WorkerRuntime, WorkerRuntimeDependencies, WorkerRuntimeOptions } from './runtime.js';
export { createWorkerRuntime, workerRuntimeOptionsSchema } from './runtime.js';
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
