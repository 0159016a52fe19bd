import { randomBytes } from 'node:crypto';
import { type AwsClients, createAwsClients } from '@changeflow/aws';
import { inject } from 'vitest';

/** SDK clients for this run's SNS/SQS endpoint. Call `destroy()` in `afterAll`. */
export function testAwsClients(): AwsClients {
  return createAwsClients({ endpoint: inject('awsEndpoint'), region: process.env.AWS_REGION });
}

/**
 * A name prefix unique to one test file (or test), so files can run in parallel against one
 * endpoint without seeing each other's topics and queues. SNS and SQS names allow `[A-Za-z0-9_-]`.
 */
export function uniquePrefix(label: string): string {
  return `cf-${label}-${randomBytes(4).toString('hex')}`;
}
