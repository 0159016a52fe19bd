import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { type AwsClients, createAwsClients } from '@changeflow/aws';
import { startTcpProxy, type TcpProxy } from '@changeflow/test-support/tcp-proxy';
import { type Kysely, sql } from 'kysely';
import { type RestartableAwsLocal, startRestartableAwsLocal } from './aws-endpoint.js';
import { openRunDatabase, type RunDatabase } from './run-database.js';
import { type ServiceProcess, superviseService } from './service-process.js';

/**
 * Glossary:
 * - cluster: the whole deployment on this machine, each part in its own process as an operator runs
 *   it: the local SNS/SQS, N repository-service instances and M workers instances, on one Postgres
 *   schema of the run's own.
 * - direct endpoint: the emulator itself, which the benchmark's own observers use.
 * - service endpoint: with `outageProxy`, a TCP proxy in front of it, which the services use, so an
 *   outage can be played by taking the proxy down while the emulator keeps its queues (as AWS keeps
 *   them across an outage). Without it the services use the direct endpoint, as they use AWS.
 * - emulator process: the emulator keeps its state in a data directory of the run's own, so it can
 *   itself be SIGKILLed and started again on the same port with every queue and message.
 */

/** What to run. */
export interface ClusterOptions {
  /** Names the run: schema `<kind>_<hex>`, topics and queues `cf-<kind>-<hex>-*`, log folder. */
  readonly kind: string;
  readonly repositoryServices: number;
  readonly workers: number;
  /** Where the children's logs go: `<logDir>/<kind>-<hex>/<service>.log`. */
  readonly logDir: string;
  /** Extra variables for every workers instance (`SWEEPER_GRACE_MS`, …). */
  readonly workersEnv?: NodeJS.ProcessEnv;
  /** Extra variables for every repository-service instance. */
  readonly repositoryServiceEnv?: NodeJS.ProcessEnv;
  /**
   * Puts a TCP proxy between the services and the emulator (`serviceEndpoint`), to play SNS/SQS
   * outages (the soak). Off by default: the proxy copies every call's bytes in this process, CPU and
   * a hop that a deployment talking to AWS does not have.
   */
  readonly outageProxy?: boolean;
  /** Told when a service exits without being asked to (it is restarted by its supervisor). */
  readonly onUnexpectedExit?: (name: string, code: number | null, signal: NodeJS.Signals | null) => void;
}

/** A running cluster. */
export interface Cluster {
  /** `<kind>_<hex>`: the Postgres schema of the primary data and outbox; the indexes are in `<id>_index`. */
  readonly id: string;
  readonly database: RunDatabase;
  readonly indexSchema: string;
  /** Topic and queue names start with this. */
  readonly prefix: string;
  /** The emulator, for the benchmark's own observers (never through the outage proxy). */
  readonly directAws: AwsClients;
  readonly directEndpoint: string;
  /** With `outageProxy`, the proxy the services use: `down()` is an SNS/SQS outage, `up()` its end. */
  readonly serviceEndpoint: TcpProxy | undefined;
  /** The emulator's own process, which keeps its state in `<logFolder>/sns-sqs-state`. */
  readonly emulator: RestartableAwsLocal;
  readonly repositoryServices: readonly ServiceProcess[];
  readonly workers: readonly ServiceProcess[];
  /** `http://127.0.0.1:<port>` of each repository-service instance, in the same order. */
  readonly repositoryUrls: readonly string[];
  readonly readToken: string;
  readonly writeToken: string;
  /** The application_name prefix of every service's Postgres connection (to find their backends). */
  readonly applicationNamePrefix: string;
  /** The folder of the children's logs. */
  readonly logFolder: string;
  /** The environment the `changeflow` CLI needs to work on this cluster. */
  cliEnv(): NodeJS.ProcessEnv;
  /** Stops every service (SIGTERM, drained), the proxy and the emulator; drops the schemas unless `keep`. */
  stop(options?: { keep?: boolean }): Promise<void>;
}

/**
 * Starts the cluster: the emulator and its proxy, then the first workers instance (it migrates and
 * provisions the topics, queues and subscriptions, so no change is published to a topic nobody is
 * subscribed to), then the other workers and the repository-services. A failed start stops what it
 * started.
 *
 * @example
 * const cluster = await startCluster({ kind: 'soak', repositoryServices: 2, workers: 2, logDir: '.soak' });
 * try { ... } finally { await cluster.stop(); }
 */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const hex = randomBytes(4).toString('hex');
  const id = `${options.kind}_${hex}`;
  const prefix = `cf-${options.kind}-${hex}`;
  const applicationNamePrefix = `${prefix}-`;
  const logFolder = join(options.logDir, `${options.kind}-${hex}`);
  mkdirSync(logFolder, { recursive: true });
  const readToken = `read-${randomBytes(12).toString('hex')}`;
  const writeToken = `write-${randomBytes(12).toString('hex')}`;
  const indexSchema = `${id}_index`;

  const undo: Array<() => Promise<unknown>> = [];
  let keepSchemas = false;
  // Latest first, each once: a second stop() finds nothing left to undo.
  const undoAll = async () => {
    for (let step = undo.pop(); step; step = undo.pop()) await step().catch(() => {});
  };
  try {
    const database = await openRunDatabase(id);
    undo.push(() => database.close());
    undo.push(() => (keepSchemas ? Promise.resolve() : database.dropSchemas()));
    const emulator = await startRestartableAwsLocal(join(logFolder, 'sns-sqs-state'));
    undo.push(() => emulator.stop());
    const directAws = createAwsClients({ endpoint: emulator.endpoint });
    undo.push(async () => directAws.destroy());
    const proxy = options.outageProxy ? await startTcpProxy(emulator.endpoint) : undefined;
    if (proxy) undo.push(() => proxy.close());
    const servicesAwsEndpoint = proxy?.endpoint ?? emulator.endpoint;

    const common = (role: string): NodeJS.ProcessEnv => ({
      PATH: process.env.PATH,
      DATABASE_URL: database.urlFor(`${applicationNamePrefix}${role}`),
      INDEX_SCHEMA: indexSchema,
      AWS_ENDPOINT_URL: servicesAwsEndpoint,
      AWS_REGION: 'us-east-1',
      CHANGEFLOW_PREFIX: prefix,
      LOG_LEVEL: 'info',
    });

    const workers: ServiceProcess[] = [];
    for (let n = 1; n <= options.workers; n += 1) {
      const port = await freePort();
      workers.push(
        superviseService({
          name: `workers-${n}`,
          entry: 'workers/src/main.ts',
          env: {
            ...common(`workers-${n}`),
            ADMIN_PORT: String(port),
            CHANGEFLOW_PROVISION: 'true',
            ...options.workersEnv,
          },
          healthUrl: `http://127.0.0.1:${port}/health`,
          logFile: join(logFolder, `workers-${n}.log`),
          onUnexpectedExit: options.onUnexpectedExit,
        }),
      );
    }
    const repositoryServices: ServiceProcess[] = [];
    const repositoryUrls: string[] = [];
    for (let n = 1; n <= options.repositoryServices; n += 1) {
      const port = await freePort();
      repositoryUrls.push(`http://127.0.0.1:${port}`);
      repositoryServices.push(
        superviseService({
          name: `repository-service-${n}`,
          entry: 'repository-service/src/main.ts',
          env: {
            ...common(`repository-service-${n}`),
            PORT: String(port),
            READ_TOKEN: readToken,
            WRITE_TOKEN: writeToken,
            // The first workers instance migrated already; many at once would only queue on its lock.
            MIGRATE: 'false',
            ...options.repositoryServiceEnv,
          },
          healthUrl: `http://127.0.0.1:${port}/health`,
          logFile: join(logFolder, `repository-service-${n}.log`),
          onUnexpectedExit: options.onUnexpectedExit,
        }),
      );
    }
    const services = [...workers, ...repositoryServices];
    undo.push(() => Promise.all(services.map((service) => service.stop())));
    const [first, ...others] = workers;
    await first?.start();
    await Promise.all([...others, ...repositoryServices].map((service) => service.start()));

    return {
      id,
      database,
      indexSchema,
      prefix,
      directAws,
      directEndpoint: emulator.endpoint,
      serviceEndpoint: proxy,
      emulator,
      repositoryServices,
      workers,
      repositoryUrls,
      readToken,
      writeToken,
      applicationNamePrefix,
      logFolder,
      cliEnv: () => ({
        PATH: process.env.PATH,
        DATABASE_URL: database.urlFor(`${applicationNamePrefix}cli`),
        INDEX_SCHEMA: indexSchema,
        AWS_ENDPOINT_URL: emulator.endpoint,
        AWS_REGION: 'us-east-1',
        CHANGEFLOW_PREFIX: prefix,
        LOG_LEVEL: 'warn',
      }),
      async stop({ keep = false } = {}) {
        keepSchemas = keep;
        await undoAll();
      },
    };
  } catch (err) {
    await undoAll();
    throw err;
  }
}

/** A port nobody listens on now, on the loopback (kept for the service's restarts). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address !== 'object') throw new Error('cannot find a free port on 127.0.0.1');
  return address.port;
}

/** Terminates every Postgres backend of the cluster's services (not this process's); how many it ended. */
export async function terminateServiceBackends<DB>(db: Kysely<DB>, applicationNamePrefix: string): Promise<number> {
  const { rows } = await sql<{ pid: number }>`
    select pg_terminate_backend(pid) as ended, pid from pg_stat_activity
    where starts_with(application_name, ${applicationNamePrefix}) and pid <> pg_backend_pid()`.execute(db);
  return rows.length;
}
