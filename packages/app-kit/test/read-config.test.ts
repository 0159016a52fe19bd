import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@changeflow/errors';
import { describe, expect, it } from 'vitest';
import { configTable, readConfig } from '../src/index.js';

const USES = {
  DATABASE_URL: {},
  PORT: {},
  READ_TOKEN: { isRequired: true },
  LOG_LEVEL: { defaultValue: 'warn' },
  AWS_REGION: {},
} as const;
const OPTIONS = { app: 'test-app', readme: 'test/README.md' };

describe('readConfig', () => {
  it('reads declared variables with their defaults, an app default winning over the declared one', () => {
    const vars = readConfig(
      USES,
      { READ_TOKEN: 'r'.repeat(16), PORT: ' 0 ', AWS_DEFAULT_REGION: 'eu-west-2' },
      OPTIONS,
    );
    expect(vars).toEqual({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
      PORT: 0,
      READ_TOKEN: 'r'.repeat(16),
      LOG_LEVEL: 'warn',
      AWS_REGION: 'eu-west-2',
    });
  });

  it('lists every bad variable in one ConfigError, secrets by their length', () => {
    let message = '';
    try {
      readConfig(USES, { DATABASE_URL: 'mysql://x', PORT: '70000', READ_TOKEN: 'short', LOG_LEVEL: 'loud' }, OPTIONS);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      message = (err as Error).message;
    }
    expect(message).toMatch(/^invalid test-app configuration: /);
    expect(message).toContain('DATABASE_URL = "mysql://x": must be a postgres:// or postgresql:// URL');
    expect(message).toContain('PORT = "70000": must be a whole number from 0 to 65535');
    expect(message).toContain('READ_TOKEN = "<5 characters>": must be at least 16 characters');
    expect(message).toContain('LOG_LEVEL = "loud": must be one of');
    expect(message).not.toContain('short');
    expect(message).toContain('(test/README.md, "Configuration")');
  });

  it('reads the file named by CHANGEFLOW_ENV_FILE beneath the environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'app-kit-'));
    const file = join(dir, 'test.env');
    writeFileSync(file, 'READ_TOKEN=from-the-file-0123456789\nPORT=1234\n# a comment\nLOG_LEVEL=debug\n');
    const vars = readConfig(USES, { CHANGEFLOW_ENV_FILE: file, PORT: '4321' }, OPTIONS);
    expect(vars).toMatchObject({ READ_TOKEN: 'from-the-file-0123456789', PORT: 4321, LOG_LEVEL: 'debug' });
    expect(() => readConfig(USES, { CHANGEFLOW_ENV_FILE: join(dir, 'missing.env') }, OPTIONS)).toThrow(
      /cannot read CHANGEFLOW_ENV_FILE = ".*missing\.env"/,
    );
  });
});

describe('configTable', () => {
  it('shows each variable with its default (or required) and what it accepts', () => {
    const table = configTable(USES);
    expect(table.split('\n')).toHaveLength(2 + Object.keys(USES).length);
    expect(table).toContain('| `PORT` | `8080` | whole number 0-65535 |');
    expect(table).toContain('| `READ_TOKEN` | required |');
    expect(table).toContain('| `LOG_LEVEL` | `warn` |');
    expect(table).toContain('| `AWS_REGION` | unset |');
  });
});
