import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Logger } from 'pino';
import { type AwsOptions, isLocalEndpoint, resolveAwsOptions } from './aws-options.js';
import { createEndpointHealth, limitCallTime } from './call-limits.js';

/** The SNS and SQS clients of one process, sharing one keep-alive connection pool. */
export interface AwsClients {
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
  /** The endpoint both clients talk to; `undefined` means AWS itself. */
  readonly endpoint: string | undefined;
  /** The region the clients sign for, as resolved by the SDK. */
  region(): Promise<string>;
  /** Closes the pooled sockets. Call once, when the process no longer needs either client. */
  destroy(): void;
}

/** Dummy credentials for endpoints that are not AWS: they sign requests nobody verifies. */
const LOCAL_CREDENTIALS = { accessKeyId: 'changeflow-local', secretAccessKey: 'changeflow-local' };
/** Region for a local endpoint when none is configured: any value works, this is the SDK's usual one. */
const LOCAL_REGION = 'us-east-1';

/** Collaborators of the clients. */
export interface AwsClientsDependencies {
  /** Where an outage of the endpoint is logged, once when it starts and once when it ends. @defaultValue none */
  logger?: Logger;
}

/**
 * Builds the SNS and SQS clients: the only place in Changeflow that does. Against AWS the SDK's
 * default credential chain and region resolution apply unchanged; a local endpoint gets fixed dummy
 * credentials and `us-east-1` unless a region is given.
 *
 * Every call is bounded in time: each attempt by `requestTimeoutMs`, the call by `totalTimeoutMs`.
 * A frozen endpoint or a dead keep-alive connection therefore fails calls at their limit, and the
 * callers (publisher, sweeper, consumer, CLI) carry on by themselves once it answers again.
 *
 * @example
 * const aws = createAwsClients(awsOptionsFromEnv());
 * await aws.sqs.send(new ListQueuesCommand({}));
 * aws.destroy();
 */
export function createAwsClients(options: AwsOptions = {}, deps: AwsClientsDependencies = {}): AwsClients {
  const resolved = resolveAwsOptions(options);
  const isLocal = isLocalEndpoint(resolved.endpoint);
  const agentOptions = { keepAlive: true, maxSockets: resolved.maxSockets };
  // One handler for both clients, so one pool of sockets per process; destroying a client would
  // destroy the shared handler, which is why only `destroy()` below tears it down.
  const requestHandler = new NodeHttpHandler({
    httpAgent: new HttpAgent(agentOptions),
    httpsAgent: new HttpsAgent(agentOptions),
    connectionTimeout: resolved.connectionTimeoutMs,
    // Per attempt: an answer must be complete within requestTimeoutMs (thrown as a TimeoutError,
    // which the SDK retries), and a socket silent that long is closed.
    requestTimeout: resolved.requestTimeoutMs,
    throwOnRequestTimeout: true,
    socketTimeout: resolved.requestTimeoutMs,
  });
  const config = {
    endpoint: resolved.endpoint,
    region: resolved.region ?? (isLocal ? LOCAL_REGION : undefined),
    credentials: isLocal ? LOCAL_CREDENTIALS : undefined,
    maxAttempts: resolved.maxAttempts,
    retryMode: 'standard',
    requestHandler,
  } as const;
  const where = resolved.endpoint ?? 'AWS';
  const logger = deps.logger?.child({ component: 'aws' });
  const sns = limitCallTime(new SNSClient(config), resolved.totalTimeoutMs, createEndpointHealth(logger, 'sns', where));
  const sqs = limitCallTime(new SQSClient(config), resolved.totalTimeoutMs, createEndpointHealth(logger, 'sqs', where));
  return {
    sns,
    sqs,
    endpoint: resolved.endpoint,
    region: () => sqs.config.region(),
    destroy: () => requestHandler.destroy(),
  };
}
