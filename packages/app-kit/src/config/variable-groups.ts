import type { AwsOptions } from '@changeflow/aws';
import type { PostgresTimeouts } from '../open-database.js';

/** The SNS/SQS variables every app that talks to SNS/SQS reads; {@link awsOptionsOf} turns them into options. */
export const AWS_VARIABLES = {
  AWS_ENDPOINT_URL: {},
  AWS_REGION: {},
  AWS_REQUEST_TIMEOUT_MS: {},
  AWS_TOTAL_TIMEOUT_MS: {},
} as const;

/** `createAwsClients` options from the values of {@link AWS_VARIABLES}. */
export function awsOptionsOf(vars: {
  AWS_ENDPOINT_URL: string | undefined;
  AWS_REGION: string | undefined;
  AWS_REQUEST_TIMEOUT_MS: number;
  AWS_TOTAL_TIMEOUT_MS: number;
}): AwsOptions {
  return {
    endpoint: vars.AWS_ENDPOINT_URL,
    region: vars.AWS_REGION,
    requestTimeoutMs: vars.AWS_REQUEST_TIMEOUT_MS,
    totalTimeoutMs: vars.AWS_TOTAL_TIMEOUT_MS,
  };
}

/** `openDatabase`'s server-side limits from the values of `PG_STATEMENT_TIMEOUT_MS` and `PG_IDLE_IN_TRANSACTION_TIMEOUT_MS`. */
export function postgresTimeoutsOf(vars: {
  PG_STATEMENT_TIMEOUT_MS: number;
  PG_IDLE_IN_TRANSACTION_TIMEOUT_MS: number;
}): Required<PostgresTimeouts> {
  return {
    statementTimeoutMs: vars.PG_STATEMENT_TIMEOUT_MS,
    idleInTransactionTimeoutMs: vars.PG_IDLE_IN_TRANSACTION_TIMEOUT_MS,
  };
}
