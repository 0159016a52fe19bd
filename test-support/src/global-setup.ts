import { startLocalAws } from '@changeflow/aws';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { TEST_DATABASE_URL } from './test-env.js';

/**
 * Runs once per `vitest run`: checks Postgres is up (and says how to start it if not), and starts
 * the local SNS/SQS unless `AWS_ENDPOINT_URL` points elsewhere. Test files get the endpoint with
 * `inject('awsEndpoint')` and reach it over HTTP through the real SDK clients.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await assertPostgresReachable();
  const external = process.env.AWS_ENDPOINT_URL;
  if (external) {
    project.provide('awsEndpoint', external);
    project.provide('isLocalAws', false);
    return async () => {};
  }
  const local = await startLocalAws();
  project.provide('awsEndpoint', local.endpoint);
  project.provide('isLocalAws', true);
  return () => local.close();
}

async function assertPostgresReachable(): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (err) {
    const where = new URL(TEST_DATABASE_URL).host;
    throw new Error(
      `cannot reach Postgres at ${where} (${(err as Error).message}): start it with ` +
        '`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start` or set TEST_DATABASE_URL',
      { cause: err },
    );
  } finally {
    await client.end().catch(() => {});
  }
}
