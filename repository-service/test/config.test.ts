import { VARIABLES } from '@changeflow/app-kit';
import { ConfigError } from '@changeflow/errors';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/index.js';

const CONFIG_DEFAULTS = { DATABASE_URL: VARIABLES.DATABASE_URL.defaultValue };

const TOKENS = { READ_TOKEN: 'r'.repeat(32), WRITE_TOKEN: 'w'.repeat(32) };

describe('loadConfig', () => {
  it('fills the documented defaults, the index database defaulting to DATABASE_URL', () => {
    expect(loadConfig(TOKENS)).toEqual({
      databaseUrl: CONFIG_DEFAULTS.DATABASE_URL,
      indexDatabaseUrl: CONFIG_DEFAULTS.DATABASE_URL,
      indexSchema: 'reval_index',
      prefix: 'changeflow',
      aws: { endpoint: undefined, region: undefined, requestTimeoutMs: 30_000, totalTimeoutMs: 60_000 },
      host: '127.0.0.1',
      port: 8080,
      readToken: TOKENS.READ_TOKEN,
      writeToken: TOKENS.WRITE_TOKEN,
      logLevel: 'info',
      bulkBatchSize: 500,
      bulkMaxBytes: 512 * 1024 * 1024,
      migrate: true,
      postgresTimeouts: { statementTimeoutMs: 30_000, idleInTransactionTimeoutMs: 10_000 },
      preparedStatements: true,
      workersMetricsUrl: undefined,
    });
  });

  it('reads every variable, blank meaning default', () => {
    const config = loadConfig({
      ...TOKENS,
      DATABASE_URL: 'postgres://app@db:5432/reval',
      INDEX_DATABASE_URL: 'postgresql://app@replica:5432/reval',
      INDEX_SCHEMA: 'reval_index_2',
      CHANGEFLOW_PREFIX: 'prod',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:4566',
      AWS_DEFAULT_REGION: 'eu-west-2',
      HOST: '0.0.0.0',
      PORT: '0',
      LOG_LEVEL: 'DEBUG',
      BULK_BATCH_SIZE: '1000',
      BULK_MAX_BYTES: '1048576',
      MIGRATE: 'false',
      PG_STATEMENT_TIMEOUT_MS: '0',
      PG_IDLE_IN_TRANSACTION_TIMEOUT_MS: '2500',
      PG_PREPARED_STATEMENTS: '0',
      LOG_LEVEL_UNUSED: 'x',
    });
    expect(config).toMatchObject({
      indexDatabaseUrl: 'postgresql://app@replica:5432/reval',
      indexSchema: 'reval_index_2',
      prefix: 'prod',
      aws: { endpoint: 'http://127.0.0.1:4566', region: 'eu-west-2', requestTimeoutMs: 30_000, totalTimeoutMs: 60_000 },
      host: '0.0.0.0',
      port: 0,
      logLevel: 'debug',
      bulkBatchSize: 1000,
      bulkMaxBytes: 1_048_576,
      migrate: false,
      postgresTimeouts: { statementTimeoutMs: 0, idleInTransactionTimeoutMs: 2500 },
      preparedStatements: false,
    });
    expect(loadConfig({ ...TOKENS, PORT: ' ', MIGRATE: '' })).toMatchObject({ port: 8080, migrate: true });
  });

  it('requires both tokens and says how to make one', () => {
    expect(() => loadConfig({})).toThrow(ConfigError);
    expect(() => loadConfig({})).toThrow(
      /READ_TOKEN = undefined: is required: set it to a long random secret, e\.g\. `export READ_TOKEN=\$\(openssl rand -hex 32\)`/,
    );
    expect(() => loadConfig({ READ_TOKEN: TOKENS.READ_TOKEN })).toThrow(/WRITE_TOKEN = undefined: is required/);
  });

  it('refuses short or equal tokens without printing them', () => {
    let message = '';
    try {
      loadConfig({ READ_TOKEN: 'short-secret', WRITE_TOKEN: TOKENS.WRITE_TOKEN });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('READ_TOKEN = "<12 characters>": must be at least 16 characters');
    expect(message).not.toContain('short-secret');
    expect(() => loadConfig({ READ_TOKEN: TOKENS.WRITE_TOKEN, WRITE_TOKEN: TOKENS.WRITE_TOKEN })).toThrow(
      /WRITE_TOKEN = "<32 characters>": must differ from READ_TOKEN/,
    );
  });

  it('names every bad variable with its value and what it accepts', () => {
    const bad = () =>
      loadConfig({
        ...TOKENS,
        DATABASE_URL: 'mysql://x',
        PORT: '70000',
        BULK_BATCH_SIZE: '0',
        INDEX_SCHEMA: 'Reval-Index',
        MIGRATE: 'maybe',
        PG_PREPARED_STATEMENTS: 'sometimes',
      });
    expect(bad).toThrow(/DATABASE_URL = "mysql:\/\/x": must be a postgres:\/\/ or postgresql:\/\/ URL/);
    expect(bad).toThrow(/PORT = "70000": must be a whole number from 0 to 65535/);
    expect(bad).toThrow(/BULK_BATCH_SIZE = "0": must be a whole number from 1 to 5000/);
    expect(bad).toThrow(/INDEX_SCHEMA = "Reval-Index": must be a lower-case Postgres identifier/);
    expect(bad).toThrow(/MIGRATE = "maybe": must be true or false/);
    expect(bad).toThrow(/PG_PREPARED_STATEMENTS = "sometimes": must be true or false/);
    expect(bad).toThrow(/repository-service\/README\.md, "Configuration"/);
  });
});
