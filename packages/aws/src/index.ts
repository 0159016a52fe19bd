export type { AwsOptions, ResolvedAwsOptions } from './aws-options.js';
export { awsOptionsFromEnv, awsOptionsSchema, isLocalEndpoint, resolveAwsOptions } from './aws-options.js';
export type { AwsClients, AwsClientsDependencies } from './clients.js';
export { createAwsClients } from './clients.js';
export type { LocalAws, LocalAwsOptions } from './local-aws.js';
export { localAwsOptionsFromEnv, startLocalAws } from './local-aws.js';
export type { QueueDepth } from './queues.js';
export { findQueueUrl, QueueMissingError, queueDepth } from './queues.js';
