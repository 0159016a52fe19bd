import { ConfigError } from '@changeflow/errors';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, loadConfig } from '../src/index.js';

describe('loadConfig', () => {
  it('fills every documented default from an empty environment', () => {
    expect(loadConfig({})).toEqual({
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/postgres',
      aws: { endpoint: undefined, region: undefined, requestTimeoutMs: 30_000, totalTimeoutMs: 60_000 },
      prefix: 'changeflow',
      provision: false,
      adminHost: '127.0.0.1',
      adminPort: 9464,
      logLevel: 'info',
      drainTimeoutMs: 30_000,
      sweeper: { schedule: '* * * * * *', graceMs: 5000 },
      retention: {
        schedule: '*/5 * * * *',
        retentionMs: 7 * 24 * 60 * 60 * 1000,
        failedMessagesRetentionMs: 30 * 24 * 60 * 60 * 1000,
      },
      migrate: true,
      postgresTimeouts: { statementTimeoutMs: 600_000, idleInTransactionTimeoutMs: 60_000 },
      preparedStatements: true,
      indexDatabaseUrl: 'postgres://postgres@127.0.0.1:5432/postgres',
      indexSchema: 'reval_index',
      dailyJobSchedule: '0 5 0 * * *',
    });
  });

  it('reads every variable, trimming blanks and treating an empty value as unset', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgresql://app:secret@db.internal:6543/changeflow',
      AWS_ENDPOINT_URL: ' http://127.0.0.1:4566 ',
      AWS_REGION: 'eu-west-2',
      CHANGEFLOW_PREFIX: 'reval-prod',
      CHANGEFLOW_PROVISION: 'TRUE',
      ADMIN_HOST: '0.0.0.0',
      ADMIN_PORT: '0',
      LOG_LEVEL: 'Debug',
      DRAIN_TIMEOUT_MS: '1500',
      SWEEPER_SCHEDULE: '*/2 * * * * *',
      SWEEPER_GRACE_MS: '0',
      RETENTION_DAYS: '0.5',
      RETENTION_SCHEDULE: '0 * * * *',
      FAILED_MESSAGES_RETENTION_DAYS: '0',
      MIGRATE: '0',
      PG_STATEMENT_TIMEOUT_MS: '0',
      PG_IDLE_IN_TRANSACTION_TIMEOUT_MS: '5000',
      PG_PREPARED_STATEMENTS: 'false',
      INDEX_DATABASE_URL: 'postgres://app@index.internal/reval',
      INDEX_SCHEMA: 'reval_index_blue',
      DAILY_JOB_SCHEDULE: '0 30 1 * * *',
    });
    expect(config).toEqual({
      databaseUrl: 'postgresql://app:secret@db.internal:6543/changeflow',
      aws: { endpoint: 'http://127.0.0.1:4566', region: 'eu-west-2', requestTimeoutMs: 30_000, totalTimeoutMs: 60_000 },
      prefix: 'reval-prod',
      provision: true,
      adminHost: '0.0.0.0',
      adminPort: 0,
      logLevel: 'debug',
      drainTimeoutMs: 1500,
      sweeper: { schedule: '*/2 * * * * *', graceMs: 0 },
      retention: { schedule: '0 * * * *', retentionMs: 12 * 60 * 60 * 1000, failedMessagesRetentionMs: 0 },
      migrate: false,
      postgresTimeouts: { statementTimeoutMs: 0, idleInTransactionTimeoutMs: 5000 },
      preparedStatements: false,
      indexDatabaseUrl: 'postgres://app@index.internal/reval',
      indexSchema: 'reval_index_blue',
      dailyJobSchedule: '0 30 1 * * *',
    });
    expect(loadConfig({ DATABASE_URL: 'postgres://a@b/c' }).indexDatabaseUrl).toBe('postgres://a@b/c');
    expect(loadConfig({ ADMIN_PORT: '', LOG_LEVEL: '  ' })).toMatchObject({ adminPort: 9464, logLevel: 'info' });
    expect(loadConfig({ AWS_DEFAULT_REGION: 'eu-west-1' }).aws.region).toBe('eu-west-1');
  });

  it('lists every bad variable in one error, with its value and what it accepts', () => {
    const bad = {
      DATABASE_URL: 'mysql://db/changeflow',
      AWS_ENDPOINT_URL: 'localhost:4566',
      AWS_REQUEST_TIMEOUT_MS: '30s',
      AWS_TOTAL_TIMEOUT_MS: '0',
      CHANGEFLOW_PREFIX: 'has space',
      CHANGEFLOW_PROVISION: 'yes please',
      ADMIN_PORT: '70000',
      LOG_LEVEL: 'loud',
      DRAIN_TIMEOUT_MS: '-1',
      SWEEPER_SCHEDULE: 'every second',
      SWEEPER_GRACE_MS: '5s',
      RETENTION_DAYS: 'a week',
      RETENTION_SCHEDULE: '61 * * * *',
      FAILED_MESSAGES_RETENTION_DAYS: 'forever',
      MIGRATE: 'maybe',
      PG_STATEMENT_TIMEOUT_MS: '10m',
      PG_IDLE_IN_TRANSACTION_TIMEOUT_MS: '-1',
      PG_PREPARED_STATEMENTS: 'off',
      INDEX_DATABASE_URL: 'mysql://index',
      INDEX_SCHEMA: 'Not-An-Identifier',
      DAILY_JOB_SCHEDULE: 'daily',
    };
    let error: unknown;
    try {
      loadConfig(bad);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const [name, value] of Object.entries(bad)) expect(message).toContain(`${name} = ${JSON.stringify(value)}: `);
    expect(message).toContain('ADMIN_PORT = "70000": must be a whole number from 0 to 65535');
    expect(message).toContain('LOG_LEVEL = "loud": must be one of fatal, error, warn, info, debug, trace, silent');
    expect(message).toContain('MIGRATE = "maybe": must be true or false');
    expect(message).toContain('workers/README.md');
    // Every variable the schema knows was tried, so none can be left out of the error.
    expect(Object.keys(bad).sort()).toEqual(
      CONFIG_VARIABLES.filter((name) => name !== 'AWS_REGION' && name !== 'ADMIN_HOST').sort(),
    );
  });
});
