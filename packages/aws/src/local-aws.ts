import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseOptions } from '@changeflow/errors';
import { z } from 'zod';
import { startFauxqsOnHost } from './fauxqs-on-host.js';

/** Where and how to run the local SNS/SQS. */
export interface LocalAwsOptions {
  /**
   * TCP port; `0` picks a free one (read it back from `endpoint`).
   * @defaultValue 0
   */
  port?: number;
  /**
   * Interface to listen on, and the host the endpoint and queue URLs name. The loopback unless told
   * otherwise: this emulator checks no credentials.
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
  /**
   * Start clean: delete the state kept in `dataDir` (the emulator's SQLite files, nothing else in the
   * directory) before starting. Without `dataDir` there is nothing to delete.
   * @defaultValue false
   */
  fresh?: boolean;
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
 * Starts the local SNS/SQS (fauxqs 2.x) in this process; with `dataDir`, on the state a previous run left there.
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
  if (options.fresh && options.dataDir !== undefined) await deleteState(options.dataDir);
  const server = await startFauxqsOnHost({ host, port: options.port ?? 0, dataDir: options.dataDir });
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

/** The files fauxqs 2.x keeps its state in, inside `dataDir`: one SQLite database in WAL mode. */
const STATE_FILES = ['fauxqs.db', 'fauxqs.db-wal', 'fauxqs.db-shm', 'fauxqs.db-journal'];

// Only the emulator's own files: a mistyped AWS_LOCAL_DATA_DIR (`~`, say) must not cost a directory.
async function deleteState(dataDir: string): Promise<void> {
  await Promise.all(STATE_FILES.map((file) => rm(join(dataDir, file), { force: true })));
}

const localAwsEnvSchema = z.object({
  AWS_LOCAL_PORT: z
    .string()
    .regex(/^\d+$/, 'must be a whole number from 0 to 65535 (0 picks a free port)')
    .transform(Number)
    .pipe(z.number().max(65_535, 'must be a whole number from 0 to 65535 (0 picks a free port)'))
    .optional(),
  AWS_LOCAL_DATA_DIR: z.string().optional(),
  AWS_LOCAL_FRESH: z
    .string()
    .toLowerCase()
    .pipe(z.enum(['true', 'false', '1', '0'], 'must be true or false (or 1 or 0)'))
    .transform((value) => value === 'true' || value === '1')
    .optional(),
});

/**
 * The local SNS/SQS options an app takes from its environment, over `defaults`: `AWS_LOCAL_PORT`
 * (port), `AWS_LOCAL_DATA_DIR` (dataDir) and `AWS_LOCAL_FRESH` (`true` or `1`: fresh). Empty
 * variables count as unset. A bad value raises a `ConfigError` naming it.
 *
 * @example
 * const local = await startLocalAws(localAwsOptionsFromEnv(process.env, { port: 4566, dataDir: '.changeflow/aws' }));
 */
export function localAwsOptionsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  defaults: LocalAwsOptions = {},
): LocalAwsOptions {
  const set = (name: keyof z.input<typeof localAwsEnvSchema>) => env[name]?.trim() || undefined;
  const parsed = parseOptions(
    localAwsEnvSchema,
    {
      AWS_LOCAL_PORT: set('AWS_LOCAL_PORT'),
      AWS_LOCAL_DATA_DIR: set('AWS_LOCAL_DATA_DIR'),
      AWS_LOCAL_FRESH: set('AWS_LOCAL_FRESH'),
    },
    'local SNS/SQS environment',
  );
  return {
    ...defaults,
    port: parsed.AWS_LOCAL_PORT ?? defaults.port,
    dataDir: parsed.AWS_LOCAL_DATA_DIR ?? defaults.dataDir,
    fresh: parsed.AWS_LOCAL_FRESH ?? defaults.fresh,
  };
}
