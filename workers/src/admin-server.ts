import type { AddressInfo } from 'node:net';
import { ChangeflowError } from '@changeflow/errors';
import Fastify, { LogController } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ReadinessReport } from './readiness.js';

/** What the admin HTTP serves. */
export interface AdminServerDependencies {
  host: string;
  /** 0 picks a free port; read it back from `url`. */
  port: number;
  registry: Registry;
  /** Answers `/ready`. */
  checkReadiness(): Promise<ReadinessReport>;
  /** Runs before each `/metrics` serialisation; must not reject. */
  beforeScrape(): Promise<void>;
  logger: Logger;
}

/** The running admin HTTP. */
export interface AdminServer {
  /** `http://<host>:<port>`. */
  readonly url: string;
  /** Stops listening and closes idle connections. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts the admin HTTP on its own port, apart from any traffic: `/health` (the process is alive),
 * `/ready` (Postgres and SQS answer; 503 names what does not), `/metrics` (Prometheus text).
 * Requests are not logged (probes and scrapes would drown the log); errors are, through our pino.
 */
export async function startAdminServer(deps: AdminServerDependencies): Promise<AdminServer> {
  const app = Fastify({
    loggerInstance: deps.logger.child({ component: 'admin-http' }),
    logController: new LogController({ disableRequestLogging: true }),
  });
  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/ready', async (_request, reply) => {
    const report = await deps.checkReadiness();
    return reply.code(report.status === 'ready' ? 200 : 503).send(report);
  });
  app.get('/metrics', async (_request, reply) => {
    await deps.beforeScrape();
    const text = await deps.registry.metrics();
    return reply.type(deps.registry.contentType).send(text);
  });

  try {
    await app.listen({ host: deps.host, port: deps.port });
  } catch (err) {
    await app.close();
    const isTaken = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
    throw new ChangeflowError(
      'ADMIN_LISTEN_FAILED',
      isTaken
        ? `admin HTTP cannot listen on ${deps.host}:${deps.port}: the port is taken; stop what holds it or set ADMIN_PORT (0 picks a free one)`
        : `admin HTTP cannot listen on ${deps.host}:${deps.port}: ${(err as Error).message}; check ADMIN_HOST and ADMIN_PORT`,
      { cause: err },
    );
  }
  const { port } = app.server.address() as AddressInfo;
  const urlHost = deps.host.includes(':') ? `[${deps.host}]` : deps.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    close() {
      closing ??= app.close();
      return closing;
    },
  };
}
