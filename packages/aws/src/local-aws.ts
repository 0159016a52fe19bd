import { ChangeflowError } from '@changeflow/errors';

/** Where and how to run the local SNS/SQS. */
export interface LocalAwsOptions {
  /**
   * TCP port; `0` picks a free one (read it back from `endpoint`).
   * @defaultValue 0
   */
  port?: number;
  /**
   * Interface to listen on. The loopback unless told otherwise: this emulator checks no credentials.
   * @defaultValue '127.0.0.1'
   */
  host?: string;
  /**
   * Directory where the emulator keeps its state (an SQLite database): queues, topics, subscriptions
   * and every message, in flight or not, survive a restart on the same directory. Created if missing.
   * Without it, state lives in memory and dies with the process.
   * @defaultValue undefined (in memory)
   */
  dataDir?: string;
}

/** A running local SNS/SQS. */
export interface LocalAws {
  /** `http://<host>:<port>`, ready for `createAwsClients({ endpoint })` or `AWS_ENDPOINT_URL`. */
  readonly endpoint: string;
  readonly port: number;
  /** The state directory, or `undefined` when state lives in memory. */
  readonly dataDir: string | undefined;
  /** Stops listening. In memory, every queue, topic and message goes with it; with `dataDir`, they stay there. Idempotent. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts the local SNS/SQS (fauxqs 2.x) in this process, on the loopback unless told otherwise.
 *
 * fauxqs is an optional peer dependency: development and tests need it, a production service never
 * does, so it is loaded only here. Its request logs are off: they would log every poll, and its
 * logger cannot be ours.
 *
 * @example
 * await using local = await startLocalAws({ dataDir: '.changeflow/aws' });
 * const aws = createAwsClients({ endpoint: local.endpoint });
 */
export async function startLocalAws(options: LocalAwsOptions = {}): Promise<LocalAws> {
  const host = options.host ?? '127.0.0.1';
  const { startFauxqs } = await importFauxqs();
  const server = await startFauxqs({
    port: options.port ?? 0,
    host,
    logger: false,
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
  });
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= server.stop();
    return closing;
  };
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    endpoint: `http://${urlHost}:${server.port}`,
    port: server.port,
    dataDir: options.dataDir,
    close,
    [Symbol.asyncDispose]: close,
  };
}

async function importFauxqs(): Promise<typeof import('fauxqs')> {
  try {
    return await import('fauxqs');
  } catch (err) {
    throw new ChangeflowError(
      'LOCAL_AWS_UNAVAILABLE',
      'cannot start the local SNS/SQS: the fauxqs package is not installed. Install it next to @changeflow/aws (`npm install --save-dev fauxqs@2`) or set AWS_ENDPOINT_URL to a running SNS/SQS',
      { cause: err },
    );
  }
}
