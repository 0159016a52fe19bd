import { PassThrough } from 'node:stream';
import { VARIABLES } from '@changeflow/app-kit';
import { ConfigError } from '@changeflow/errors';
import { describe, expect, it } from 'vitest';
import { createProgress, createRateLimiter, loadConfig } from '../src/index.js';

const CONFIG_DEFAULTS = { DATABASE_URL: VARIABLES.DATABASE_URL.defaultValue };

import { parseSince } from '../src/since.js';

function capture(isTTY: boolean): { stream: PassThrough & { isTTY?: boolean; columns?: number }; text(): string } {
  const stream: PassThrough & { isTTY?: boolean; columns?: number } = new PassThrough();
  stream.isTTY = isTTY;
  stream.columns = 100;
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

describe('configuration', () => {
  it('has documented defaults, and INDEX_DATABASE_URL follows DATABASE_URL', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      databaseUrl: CONFIG_DEFAULTS.DATABASE_URL,
      indexDatabaseUrl: CONFIG_DEFAULTS.DATABASE_URL,
      indexSchema: 'reval_index',
      prefix: 'changeflow',
      repositoryUrl: 'http://127.0.0.1:8080',
      writeToken: undefined,
      logLevel: 'warn',
      aws: { endpoint: undefined, region: undefined },
    });
    const custom = loadConfig({
      DATABASE_URL: 'postgres://a@db:5432/app',
      AWS_DEFAULT_REGION: 'eu-west-2',
      REPOSITORY_URL: 'http://repo:8080/',
    });
    expect(custom).toMatchObject({
      indexDatabaseUrl: 'postgres://a@db:5432/app',
      aws: { region: 'eu-west-2' },
      repositoryUrl: 'http://repo:8080',
    });
  });

  it('lets --prefix and --database-url override their variables', () => {
    const config = loadConfig(
      { CHANGEFLOW_PREFIX: 'from-env', DATABASE_URL: 'postgres://env/db' },
      { prefix: 'from-flag', databaseUrl: 'postgres://flag/db' },
    );
    expect(config.prefix).toBe('from-flag');
    expect(config.databaseUrl).toBe('postgres://flag/db');
    expect(config.indexDatabaseUrl).toBe('postgres://flag/db');
  });

  it('names every bad variable with its value in one ConfigError', () => {
    expect(() => loadConfig({ INDEX_SCHEMA: 'Bad-Schema', LOG_LEVEL: 'loud' })).toThrow(ConfigError);
    expect(() => loadConfig({ INDEX_SCHEMA: 'Bad-Schema', LOG_LEVEL: 'loud' })).toThrow(
      /INDEX_SCHEMA = "Bad-Schema": must be a lower-case Postgres identifier.*LOG_LEVEL = "loud": must be one of/,
    );
  });
});

describe('--since', () => {
  const now = new Date('2024-05-01T12:00:00Z');
  it.each([
    ['90s', '2024-05-01T11:58:30.000Z'],
    ['15m', '2024-05-01T11:45:00.000Z'],
    ['2h', '2024-05-01T10:00:00.000Z'],
    ['1d', '2024-04-30T12:00:00.000Z'],
    ['2024-04-01T08:00:00Z', '2024-04-01T08:00:00.000Z'],
    ['2024-04-01', '2024-04-01T00:00:00.000Z'],
  ])('reads %s', (value, expected) => {
    expect(parseSince(value, now)?.toISOString()).toBe(expected);
  });
  it.each(['yesterday', '10', '5w', '2024-13-45'])('rejects %s', (value) => {
    expect(parseSince(value, now)).toBeUndefined();
  });
});

describe('--rate', () => {
  it('spaces units out to the rate: 5 single takes at 20/s take at least 200 ms', async () => {
    const limiter = createRateLimiter(20);
    const started = performance.now();
    for (let n = 0; n < 5; n += 1) await limiter.take(1);
    expect(performance.now() - started).toBeGreaterThanOrEqual(195);
    expect(limiter.batchSize(10)).toBe(10);
    expect(createRateLimiter(0.5).batchSize(10)).toBe(1);
    expect(createRateLimiter(undefined).batchSize(10)).toBe(10);
  });

  it('stops waiting when the signal aborts', async () => {
    const limiter = createRateLimiter(0.1);
    await limiter.take(1);
    const controller = new AbortController();
    const waiting = limiter.take(1, controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow();
  });
});

describe('progress', () => {
  it('prints plain lines when stderr is not a terminal', () => {
    const out = capture(false);
    const task = createProgress({ stream: out.stream, isTTY: false, intervalMs: 0 }).start('moving', 4);
    task.increment(2, 'half');
    task.increment(2);
    task.stop();
    task.stop();
    const lines = out.text().trim().split('\n');
    expect(lines[0]).toMatch(/^moving: 2\/4 \(50%\) \d+\.\ds half$/);
    expect(lines.at(-1)).toMatch(/^moving: 4\/4 \(100%\)/);
    expect(lines).toHaveLength(3);
  });

  it('draws a cli-progress bar when stderr is a terminal', () => {
    const out = capture(true);
    const task = createProgress({ stream: out.stream, isTTY: true }).start('moving', 10);
    task.increment(10, 'done');
    task.stop();
    expect(out.text()).toContain('moving [');
    expect(out.text()).toContain('10/10 100%');
  });
});
