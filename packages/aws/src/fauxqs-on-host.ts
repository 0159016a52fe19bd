import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ChangeflowError } from '@changeflow/errors';

/** A fauxqs server listening where it was told to. */
export interface FauxqsOnHost {
  readonly port: number;
  stop(): Promise<void>;
}

/** The parts of fauxqs 2.4's internals this file uses (its dist/ is untyped past the entry). */
interface FauxqsInternals {
  buildApp: typeof import('fauxqs').buildApp;
  SqsStore: new () => { persistence?: unknown; allQueues(): Iterable<{ persistence?: unknown }> };
  SnsStore: new () => { persistence?: unknown };
  S3Store: new () => { persistence?: unknown };
  PersistenceManager: new (dataDir: string) => FauxqsPersistence;
}

interface FauxqsPersistence {
  db: { prepare(sql: string): { run(...values: unknown[]): unknown } };
  load(sqs: unknown, sns: unknown, s3: unknown): void;
  updateMessageReady(messageId: string): void;
  close(): void;
}

/**
 * fauxqs 2.4.1 writes a message handed back (`ChangeMessageVisibility` to 0) with a null receive
 * count, which its own schema refuses (NOT NULL). The call answers 500 after the message has left
 * the in-flight set and before it rejoins the ready one: the message is gone. This writes what the
 * hand-back means — no receipt handle, no deadline — and keeps the count, as SQS does.
 */
function keepReceiveCountOnHandBack(persistence: FauxqsPersistence): void {
  const ready = persistence.db.prepare(
    'UPDATE sqs_messages SET receipt_handle = NULL, visibility_deadline = NULL WHERE message_id = ?',
  );
  persistence.updateMessageReady = (messageId) => {
    ready.run(messageId);
  };
}

/**
 * Starts fauxqs on `host`. fauxqs 2.4's own `startFauxqs` always listens on 0.0.0.0 — its `host`
 * only names the host in queue URLs — which would expose an API that checks no credentials to the
 * network. So this does what `startFauxqs` does (the stores, SQLite persistence under `dataDir`,
 * `buildApp`) and listens on `host` itself. The stores and the persistence manager are not in
 * fauxqs's exports map, so they are imported by file URL from its dist/; `@changeflow/aws` pins the
 * fauxqs peer range to 2.4.x for that reason, and a test checks the address it listens on. It also
 * mends one persistence bug of 2.4.1 (see keepReceiveCountOnHandBack).
 */
export async function startFauxqsOnHost(options: {
  host: string;
  port: number;
  dataDir: string | undefined;
}): Promise<FauxqsOnHost> {
  const internals = await importInternals();
  const sqsStore = new internals.SqsStore();
  const snsStore = new internals.SnsStore();
  const s3Store = new internals.S3Store();
  const persistence = options.dataDir === undefined ? undefined : new internals.PersistenceManager(options.dataDir);
  if (persistence) {
    keepReceiveCountOnHandBack(persistence);
    // As startFauxqs: load first, then attach, so loading does not write everything back.
    persistence.load(sqsStore, snsStore, s3Store);
    sqsStore.persistence = persistence;
    snsStore.persistence = persistence;
    s3Store.persistence = persistence;
    for (const queue of sqsStore.allQueues()) queue.persistence = persistence;
  }
  const app = internals.buildApp({
    logger: false,
    host: options.host,
    stores: { sqsStore, snsStore, s3Store } as never,
  });
  if (persistence) app.addHook('preClose', () => persistence.close());
  await app.listen({ port: options.port, host: options.host });
  const { port } = app.server.address() as AddressInfo;
  return { port, stop: () => app.close() };
}

/** Said when fauxqs is missing, or is not the 2.4.x whose internals this imports. */
const INSTALL_FAUXQS =
  'Install it next to @changeflow/aws (`npm install --save-dev fauxqs@~2.4.1`) or set AWS_ENDPOINT_URL to a running SNS/SQS';

async function importInternals(): Promise<FauxqsInternals> {
  const packageDir = (createRequire(import.meta.url).resolve.paths('fauxqs') ?? [])
    .map((modules) => join(modules, 'fauxqs'))
    .find((dir) => existsSync(join(dir, 'dist', 'app.js')));
  if (!packageDir) {
    throw new ChangeflowError(
      'LOCAL_AWS_UNAVAILABLE',
      `cannot start the local SNS/SQS: the fauxqs package is not installed. ${INSTALL_FAUXQS}`,
    );
  }
  const load = (file: string) => import(pathToFileURL(join(packageDir, 'dist', file)).href);
  try {
    const [app, sqs, sns, s3, persistence] = await Promise.all([
      load('app.js'),
      load('sqs/sqsStore.js'),
      load('sns/snsStore.js'),
      load('s3/s3Store.js'),
      load('persistence.js'),
    ]);
    return {
      buildApp: app.buildApp,
      SqsStore: sqs.SqsStore,
      SnsStore: sns.SnsStore,
      S3Store: s3.S3Store,
      PersistenceManager: persistence.PersistenceManager,
    };
  } catch (err) {
    throw new ChangeflowError('LOCAL_AWS_UNAVAILABLE', describeLoadFailure(err, packageDir), { cause: err });
  }
}

/**
 * Why fauxqs's internals did not load, and what to do. fauxqs 2.4 keeps its state with `node:sqlite`,
 * which Node.js before 22.13 does not have: on such a Node the import fails whatever is installed.
 */
export function describeLoadFailure(err: unknown, packageDir: string, nodeVersion = process.version): string {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  if (code === 'ERR_UNKNOWN_BUILTIN_MODULE' && String((err as { message?: unknown }).message).includes('sqlite')) {
    return `cannot start the local SNS/SQS: fauxqs keeps its state with node:sqlite, which Node.js ${nodeVersion} does not have. Run Changeflow on Node.js 24 (README, "Node.js 24"), or set AWS_ENDPOINT_URL to a running SNS/SQS`;
  }
  return `cannot start the local SNS/SQS: the fauxqs at ${packageDir} lacks the 2.4.x files it is built from. ${INSTALL_FAUXQS}`;
}
