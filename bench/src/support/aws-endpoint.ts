import { type AwsLocalProcess, startAwsLocalProcess } from '@changeflow/test-support/aws-local-process';

// The child-process emulator lives in test-support, shared with the durability test of @changeflow/aws.
export type { AwsLocalProcess } from '@changeflow/test-support/aws-local-process';
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

/** The local SNS/SQS in a child process that can be SIGKILLed and started again with its state. */
export interface RestartableAwsLocal {
  /** `sns-sqs`, in the soak's progress lines. */
  readonly name: string;
  /** `http://127.0.0.1:<port>`: the same across restarts. */
  readonly endpoint: string;
  /** The running process's pid, if one is running. */
  readonly pid: number | undefined;
  /** SIGKILL: no chance to close its database; resolves once it has exited. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data directory, unless it is running; resolves once it answers. */
  start(): Promise<void>;
  /** Stops the running process (SIGTERM); the data directory stays. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts the local SNS/SQS in a child process keeping its state in `dataDir`, so the soak can kill
 * the emulator itself and start it again with every queue, subscription and message.
 *
 * @example
 * const emulator = await startRestartableAwsLocal('.soak/run/sns-sqs-state');
 * await emulator.kill();
 * await emulator.start(); // same endpoint, same queues and messages
 */
export async function startRestartableAwsLocal(dataDir: string): Promise<RestartableAwsLocal> {
  let current: AwsLocalProcess = await startAwsLocalProcess({ dataDir });
  let running = true;
  return {
    name: 'sns-sqs',
    endpoint: current.endpoint,
    get pid() {
      return running ? current.pid : undefined;
    },
    async kill() {
      running = false;
      await current.kill();
    },
    async start() {
      if (running) return;
      // The same port: proxies, clients and every queue URL name it.
      current = await startAwsLocalProcess({ dataDir, port: current.port });
      running = true;
    },
    async stop() {
      running = false;
      await current.stop();
    },
  };
}
