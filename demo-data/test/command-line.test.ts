import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { SOURCE_NODE_ARGS } from '@changeflow/test-support';
import { describe, expect, it } from 'vitest';
import { DEMO_RECORD_KINDS, fileForKind, generateRecords, readCommandLine, USAGE_EXIT_CODE } from '../src/index.js';

const run = promisify(execFile);
const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(REPO_ROOT, 'demo-data/src/bin/demo-data.ts');

function read(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const stderr = new PassThrough();
  let text = '';
  stderr.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  const commandLine = readCommandLine(argv, env, stderr, new Date('2026-03-15T12:00:00Z'));
  return { commandLine, stderr: () => text };
}

describe('readCommandLine', () => {
  it('takes the URL and token from REPOSITORY_URL and WRITE_TOKEN, today from Europe/London', () => {
    const { commandLine } = read(['--doctors', '20', '--seed', 's'], {
      REPOSITORY_URL: 'http://repository-service:8080',
      WRITE_TOKEN: 'w',
    });
    expect(commandLine).toEqual({
      kind: 'run',
      run: {
        mode: 'load',
        generate: { doctors: 20, seed: 's', today: '2026-03-15' },
        url: 'http://repository-service:8080',
        token: 'w',
        recordsPerRequest: 1000,
        concurrency: 8,
        quiet: false,
      },
    });
  });

  it('lets flags win over the environment', () => {
    const { commandLine } = read(['--url', 'http://127.0.0.1:9', '--token', 'flag', '--today', '2025-12-31'], {
      REPOSITORY_URL: 'http://elsewhere:1',
      WRITE_TOKEN: 'env',
    });
    expect(commandLine).toMatchObject({
      kind: 'run',
      run: { url: 'http://127.0.0.1:9', token: 'flag', generate: { today: '2025-12-31' } },
    });
  });

  it('writes files with --out and needs no token then', () => {
    const { commandLine } = read(['--out', 'demo.ndjson', '--doctors', '3']);
    expect(commandLine).toMatchObject({ kind: 'run', run: { mode: 'write', out: 'demo.ndjson' } });
  });

  it('exits 2 naming every bad argument and what it accepts', () => {
    const { commandLine, stderr } = read([
      '--doctors',
      'many',
      '--today',
      '15/03/2026',
      '--url',
      'ftp://x',
      '--concurrency',
      '100',
    ]);
    expect(commandLine).toEqual({ kind: 'exit', exitCode: USAGE_EXIT_CODE });
    expect(stderr()).toContain('--doctors = "many": must be a whole number from 0 to 1000000');
    expect(stderr()).toContain('--today = "15/03/2026": must be a date as YYYY-MM-DD');
    expect(stderr()).toContain('must be an http:// or https:// URL');
    expect(stderr()).toContain('--concurrency = "100": must be a whole number from 1 to 64');
    expect(stderr()).toContain('--token (or WRITE_TOKEN): is needed to post');
  });

  it('exits 2 on an unknown option, showing the accepted ones', () => {
    const { commandLine, stderr } = read(['--doctor', '5']);
    expect(commandLine).toEqual({ kind: 'exit', exitCode: USAGE_EXIT_CODE });
    expect(stderr()).toMatch(/unknown option '--doctor'/);
    expect(stderr()).toContain('--records-per-request <n>');
  });
});

describe('npm run demo-data', () => {
  it('writes one NDJSON file per kind with --out', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'demo-data-'));
    try {
      const out = path.join(dir, 'demo.ndjson');
      const options = { doctors: 40, seed: 'cli', today: '2026-03-15' };
      const { stdout } = await run(
        process.execPath,
        [
          ...SOURCE_NODE_ARGS,
          BIN,
          '--doctors',
          '40',
          '--seed',
          'cli',
          '--today',
          '2026-03-15',
          '--out',
          out,
          '--quiet',
        ],
        { cwd: REPO_ROOT },
      );
      for (const kind of DEMO_RECORD_KINDS) {
        const expected = [...generateRecords(kind, options)].map((record) => `${JSON.stringify(record)}\n`).join('');
        expect(await readFile(fileForKind(out, kind), 'utf8')).toBe(expected);
        expect(stdout).toContain(fileForKind(out, kind));
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('exits 2 on bad arguments', async () => {
    const failure = await run(process.execPath, [...SOURCE_NODE_ARGS, BIN, '--doctors', '-3', '--out', 'x.ndjson'], {
      cwd: REPO_ROOT,
    }).catch((err: unknown) => err);
    expect(failure).toMatchObject({ code: USAGE_EXIT_CODE, stderr: expect.stringContaining('--doctors = "-3"') });
  });
});
