import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_DATABASE_URL, uniquePrefix, waitFor, withSearchPath } from '@changeflow/test-support';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InteractiveShell } from './interactive-shell.js';
import { tourCommands } from './tour-commands.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * What each tour command must show, found by a piece of its text. A command whose result arrives
 * asynchronously (the projection, the dead-lettering) is pasted again until it shows it, as a user
 * would; every command must exit 0.
 */
const EXPECTATIONS: Array<{ match: string; shows: RegExp; repeatUntilShown?: boolean }> = [
  { match: '/api/tcs/trainees/900001', shows: /"objectVersion"|"version"/ },
  { match: '/api/gmc/doctors/9000001', shows: /"objectVersion"|"version"/ },
  { match: '/api/v1/doctors?searchQuery=lovelace', shows: /"doctorLastName":"Lovelace"/, repeatUntilShown: true },
  {
    match: '/api/connection/exception?searchQuery=9000001',
    shows: /"gmcReferenceNumber":"9000001"/,
    repeatUntilShown: true,
  },
  { match: 'get-queue-url', shows: /^$/ },
  { match: 'send-message', shows: /MessageId/ },
  { match: 'dlq list reval-index', shows: /1 dead-lettered message[\s\S]*not JSON/, repeatUntilShown: true },
  { match: 'dlq replay reval-index --all', shows: /Moved 1 message/ },
  { match: 'dlq purge reval-index --yes', shows: /[Pp]urged|[Dd]eleted/ },
  { match: 'changeflow -- status', shows: /Outbox/ },
  { match: '/api/sync"', shows: /"id"/ },
  { match: 'sync --wait', shows: /succeeded/ },
  { match: '/metrics', shows: /changeflow_/ },
];

function hasAwsCli(): boolean {
  try {
    execFileSync('aws', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('the README tour, pasted into a second terminal after npm start', () => {
  const prefix = uniquePrefix('tour');
  const schema = prefix.replaceAll('-', '_');
  let start: ChildProcess;
  let startOutput = '';
  let dataDir: string;
  let shell: InteractiveShell;

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    await admin.end();
    dataDir = await mkdtemp(path.join(tmpdir(), 'changeflow-tour-'));
    // npm start as a user runs it, on a schema, prefix and ports of this test's own.
    start = spawn('npm', ['start', '--silent'], {
      cwd: ROOT,
      detached: true,
      env: {
        ...process.env,
        AWS_ENDPOINT_URL: '',
        DATABASE_URL: withSearchPath(TEST_DATABASE_URL, schema),
        INDEX_SCHEMA: `${schema}_index`,
        CHANGEFLOW_PREFIX: prefix,
        PORT: '0',
        ADMIN_PORT: '0',
        AWS_LOCAL_PORT: '0',
        AWS_LOCAL_DATA_DIR: dataDir,
        DEMO_DOCTORS: '20',
      },
    });
    start.stdout?.on('data', (chunk: Buffer) => {
      startOutput += chunk.toString('utf8');
    });
    start.stderr?.on('data', (chunk: Buffer) => {
      startOutput += chunk.toString('utf8');
    });
    await waitFor(() => /Ctrl-C stops everything/.test(startOutput) || start.exitCode !== null, {
      timeoutMs: 90_000,
      description: 'npm start to be up',
    });
    expect(start.exitCode, startOutput).toBeNull();

    // A second terminal: none of this test's environment that the export lines should provide.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(
        ([name]) =>
          !/^(AWS_|DATABASE_URL|INDEX_|CHANGEFLOW_|READ_TOKEN|WRITE_TOKEN|REPOSITORY_URL|ADMIN_URL|TEST_DATABASE_URL)/.test(
            name,
          ),
      ),
    );
    shell = new InteractiveShell({ cwd: ROOT, env });
  }, 120_000);

  afterAll(async () => {
    shell?.close();
    if (start?.pid && start.exitCode === null) {
      const exited = new Promise((resolve) => start.once('exit', resolve));
      process.kill(-start.pid, 'SIGINT');
      await exited;
    }
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.query(`drop schema if exists ${schema}_index cascade`);
    await admin.end();
    await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('prints export lines for the endpoint, region, credentials, database, URLs and tokens', () => {
    const exports = startOutput.split('\n').filter((line) => /^\s*export /.test(line));
    expect(exports).toHaveLength(3);
    for (const name of [
      'AWS_ENDPOINT_URL',
      'AWS_REGION',
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'DATABASE_URL',
      'REPOSITORY_URL',
      'ADMIN_URL',
      'READ_TOKEN',
      'WRITE_TOKEN',
    ]) {
      expect(exports.join(' ')).toContain(` ${name}=`);
    }
  });

  it('runs every command of the tour, as printed, after the export lines', async () => {
    const exports = startOutput
      .split('\n')
      .filter((line) => /^\s*export /.test(line))
      .map((line) => line.trim());
    for (const line of exports) expect((await shell.run(line)).exitCode).toBe(0);

    const commands = tourCommands(await readFile(path.join(ROOT, 'README.md'), 'utf8'));
    expect(commands.map((command) => command.step)).toEqual(expect.arrayContaining([1, 2, 3, 4, 5]));
    if (!hasAwsCli()) {
      if (process.env.CI) throw new Error('the tour needs the AWS CLI (`aws`), and CI has none: install it');
      console.warn('no AWS CLI (`aws`) here: the tour test needs it; install it to run this test');
      return;
    }
    for (const command of commands) {
      const expectation = EXPECTATIONS.find((candidate) => command.text.includes(candidate.match));
      const run = async () => {
        const result = await shell.run(command.text);
        const shown = expectation ? expectation.shows.test(result.output.trim()) : true;
        return { ...result, shown };
      };
      let result = await run();
      if (expectation?.repeatUntilShown && !(result.exitCode === 0 && result.shown)) {
        result = await waitFor(
          async () => {
            const again = await run();
            return again.exitCode === 0 && again.shown ? again : undefined;
          },
          { timeoutMs: 60_000, intervalMs: 500, description: `the tour's step ${command.step} to show its result` },
        ).catch(() => result);
      }
      const printed = `$ ${command.text}\n${result.output}`;
      expect(result.exitCode, printed).toBe(0);
      if (expectation) expect(result.output.trim(), printed).toMatch(expectation.shows);
    }
  }, 300_000);
});
