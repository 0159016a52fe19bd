import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { migrateRevalPrimary, type RevalDatabase } from '@changeflow/reval';
import { SOURCE_NODE_ARGS, uniquePrefix, useTestDatabase, waitFor } from '@changeflow/test-support';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncResult } from '../src/index.js';
import { cliEnv, runInProcess, spawnCli, watchChild } from './cli-harness.js';

const testDb = useTestDatabase<RevalDatabase>('cli_sync', (db) => migrateRevalPrimary(db));
const WRITE_TOKEN = randomBytes(16).toString('hex');
const READ_TOKEN = randomBytes(16).toString('hex');
const indexSchema = `t_cli_sync_index_${randomBytes(4).toString('hex')}`;
const MAIN = fileURLToPath(new URL('../../../repository-service/src/main.ts', import.meta.url));
let service: { url: string; stop(): Promise<void> };

/** The real repository-service, in a process of its own, on a free port of the loopback. */
beforeAll(async () => {
  const env = cliEnv(testDb().url, uniquePrefix('cli-sync'), {
    HOST: '127.0.0.1',
    PORT: '0',
    READ_TOKEN,
    WRITE_TOKEN,
    INDEX_SCHEMA: indexSchema,
    LOG_LEVEL: 'info',
  });
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [...SOURCE_NODE_ARGS, MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = watchChild(child);
  const url = await waitFor(
    () => {
      for (const line of output.stdout().split('\n')) {
        if (line.includes('repository-service listening')) return (JSON.parse(line) as { url: string }).url;
      }
      return undefined;
    },
    { timeoutMs: 90_000, description: `the repository-service to listen (stderr: ${output.stderr()})` },
  );
  service = {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      await output.exit;
    },
  };
}, 120_000);

afterAll(async () => {
  await service?.stop();
  await sql`drop schema if exists ${sql.id(indexSchema)} cascade`.execute(testDb().db);
});

const env = (extra: Record<string, string> = {}) =>
  cliEnv(testDb().url, uniquePrefix('cli-sync'), { REPOSITORY_URL: service.url, WRITE_TOKEN, ...extra });

/** Plays the workers' sync worker: moves the job on as its steps would. */
async function setJob(id: string, state: string, step: string, error: string | null = null): Promise<void> {
  await sql`update reval_sync_job set state = ${state}, step = ${step}, error = ${error},
    finished_at = case when ${state} in ('succeeded', 'failed') then now() end where id = ${id}`.execute(testDb().db);
}

describe('changeflow sync', () => {
  it('starts a sync through the repository-service; while it runs, a second call shows that one and starts none', async () => {
    const first = await runInProcess(['sync', '--json'], env());
    expect(first.code, first.stderr).toBe(0);
    const started = first.json<SyncResult>();
    expect(started).toMatchObject({ started: true, waited: false, job: { state: 'pending', step: 'build-master' } });

    const second = await runInProcess(['sync'], env());
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(
      `Sync #${started.job.id} was already pending (step build-master); no other was started.`,
    );
    const jobs = await testDb().db.selectFrom('reval_sync_job').select('id').execute();
    expect(jobs).toHaveLength(1);
    await setJob(started.job.id, 'failed', 'build-master', 'stopped by the test');
  });

  it('--wait follows the job through its steps to success (exit 0), and to failure (exit 1)', async () => {
    const child = spawnCli(['sync', '--wait', '--json'], env());
    const output = watchChild(child);
    const id = await waitFor(
      async () =>
        (await testDb().db.selectFrom('reval_sync_job').select('id').where('state', '=', 'pending').executeTakeFirst())
          ?.id,
      { timeoutMs: 90_000, description: 'the sync job' },
    );
    await setJob(id, 'running', 'build-indexes');
    await setJob(id, 'succeeded', 'done');
    expect(await output.exit).toBe(0);
    expect(JSON.parse(output.stdout())).toMatchObject({ started: true, waited: true, job: { id, state: 'succeeded' } });

    const failing = spawnCli(['sync', '--wait'], env());
    const failingOutput = watchChild(failing);
    const failedId = await waitFor(
      async () =>
        (await testDb().db.selectFrom('reval_sync_job').select('id').where('state', '=', 'pending').executeTakeFirst())
          ?.id,
      { timeoutMs: 90_000, description: 'the second sync job' },
    );
    await setJob(failedId, 'failed', 'swap', 'index schema is locked');
    expect(await failingOutput.exit).toBe(1);
    expect(failingOutput.stdout()).toContain(`Sync #${failedId} failed at step swap: index schema is locked`);
  }, 240_000);

  it('says what to do when the token is missing or refused, or the service is unreachable', async () => {
    const missing = await runInProcess(['sync'], { ...env(), WRITE_TOKEN: '' });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('WRITE_TOKEN is not set');
    const refused = await runInProcess(['sync'], env({ WRITE_TOKEN: READ_TOKEN }));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('refused the token (403 on POST /api/sync): set WRITE_TOKEN to its write token');
    const unreachable = await runInProcess(['sync'], env({ REPOSITORY_URL: 'http://127.0.0.1:9' }));
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain('cannot reach the repository-service at http://127.0.0.1:9');
    expect(unreachable.stderr).toContain('or set REPOSITORY_URL');
  });
});
