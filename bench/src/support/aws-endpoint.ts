import { startAwsLocalProcess } from '@changeflow/test-support/aws-local-process';

// The child-process emulator lives in test-support, shared with the durability test of @changeflow/aws.
export type { AwsLocalProcess, AwsLocalProcessOptions } from '@changeflow/test-support/aws-local-process';
export { startAwsLocalProcess } from '@changeflow/test-support/aws-local-process';

/** An SNS/SQS endpoint for a benchmark to use. */
export interface BenchAwsEndpoint {
  /** `http://127.0.0.1:<port>` for the spawned emulator, or `AWS_ENDPOINT_URL` as given. */
  readonly endpoint: string;
  /** Where the endpoint came from, for the report. */
  readonly source: 'spawned' | 'AWS_ENDPOINT_URL';
  /** Stops the emulator if this process spawned it (waiting for it to exit); otherwise does nothing. Idempotent. */
  stop(): Promise<void>;
}

/**
 * The endpoint a benchmark measures: `AWS_ENDPOINT_URL` when set (LocalStack, a running
 * `npm run aws-local`, AWS), otherwise a fresh local SNS/SQS in its own child process, so the
 * emulator's CPU is not the benchmark's.
 *
 * @example
 * const local = await openBenchAwsEndpoint();
 * try {
 *   const aws = createAwsClients({ endpoint: local.endpoint });
 * } finally {
 *   await local.stop();
 * }
 */
export async function openBenchAwsEndpoint(env: NodeJS.ProcessEnv = process.env): Promise<BenchAwsEndpoint> {
  const configured = env.AWS_ENDPOINT_URL?.trim();
  if (configured) return { endpoint: configured, source: 'AWS_ENDPOINT_URL', stop: async () => {} };
  return { ...(await startAwsLocalProcess()), source: 'spawned' };
}
