import type { AddressInfo } from 'node:net';
import { buildApp } from 'fauxqs';

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
}

/** A running local SNS/SQS. */
export interface LocalAws {
  /** `http://<host>:<port>`, ready for `createAwsClients({ endpoint })` or `AWS_ENDPOINT_URL`. */
  readonly endpoint: string;
  readonly port: number;
  /** Stops listening and drops every queue, topic and message. Idempotent. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts the local SNS/SQS (fauxqs 1.9.2) in this process. State lives in memory and dies with it.
 *
 * fauxqs's own `startFauxqs` listens on every interface, so this builds its app and listens on the
 * loopback itself. fauxqs's request logs are off: they would log every poll, and its logger cannot
 * be ours.
 *
 * @example
 * await using local = await startLocalAws();
 * const aws = createAwsClients({ endpoint: local.endpoint });
 */
export async function startLocalAws(options: LocalAwsOptions = {}): Promise<LocalAws> {
  const host = options.host ?? '127.0.0.1';
  const app = buildApp({ logger: false });
  await app.listen({ port: options.port ?? 0, host });
  const { port } = app.server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= app.close();
    return closing;
  };
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return { endpoint: `http://${urlHost}:${port}`, port, close, [Symbol.asyncDispose]: close };
}
