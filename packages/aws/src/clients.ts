import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { type AwsOptions, isLocalEndpoint, resolveAwsOptions } from './aws-options.js';

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

/**
 * Builds the SNS and SQS clients: the only place in Changeflow that does. Against AWS the SDK's
 * default credential chain and region resolution apply unchanged; a local endpoint gets fixed dummy
 * credentials and `us-east-1` unless a region is given.
 *
 * @example
 * const aws = createAwsClients(awsOptionsFromEnv());
 * await aws.sqs.send(new ListQueuesCommand({}));
 * aws.destroy();
 */
export function createAwsClients(options: AwsOptions = {}): AwsClients {
  const resolved = resolveAwsOptions(options);
  const isLocal = isLocalEndpoint(resolved.endpoint);
  const agentOptions = { keepAlive: true, maxSockets: resolved.maxSockets };
  // One handler for both clients, so one pool of sockets per process; destroying a client would
  // destroy the shared handler, which is why only `destroy()` below tears it down.
  const requestHandler = new NodeHttpHandler({
    httpAgent: new HttpAgent(agentOptions),
    httpsAgent: new HttpsAgent(agentOptions),
    connectionTimeout: resolved.connectionTimeoutMs,
  });
  const config = {
    endpoint: resolved.endpoint,
    region: resolved.region ?? (isLocal ? LOCAL_REGION : undefined),
    credentials: isLocal ? LOCAL_CREDENTIALS : undefined,
    maxAttempts: resolved.maxAttempts,
    retryMode: 'standard',
    requestHandler,
  } as const;
  const sns = new SNSClient(config);
  const sqs = new SQSClient(config);
  return {
    sns,
    sqs,
    endpoint: resolved.endpoint,
    region: () => sqs.config.region(),
    destroy: () => requestHandler.destroy(),
  };
}
