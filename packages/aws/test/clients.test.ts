import { ListQueuesCommand } from '@aws-sdk/client-sqs';
import { testAwsClients } from '@changeflow/test-support';
import { describe, expect, it } from 'vitest';
import { awsOptionsFromEnv, createAwsClients, isLocalEndpoint, resolveAwsOptions } from '../src/index.js';

describe('createAwsClients', () => {
  it('talks to the configured endpoint with dummy credentials', async () => {
    const aws = testAwsClients();
    try {
      const answer = await aws.sqs.send(new ListQueuesCommand({}));
      expect(answer.$metadata.httpStatusCode).toBe(200);
    } finally {
      aws.destroy();
    }
  });

  it('resolves a local endpoint to us-east-1 unless a region is given', async () => {
    const local = createAwsClients({ endpoint: 'http://127.0.0.1:1' });
    const regional = createAwsClients({ endpoint: 'http://127.0.0.1:1', region: 'eu-west-2' });
    expect(await local.region()).toBe('us-east-1');
    expect(await regional.region()).toBe('eu-west-2');
    local.destroy();
    regional.destroy();
  });

  it('rejects bad options naming the field and its value', () => {
    expect(() => resolveAwsOptions({ endpoint: 'not a url', maxSockets: 0 })).toThrow(
      /endpoint = "not a url": .*; maxSockets = 0: /,
    );
  });

  it('treats only non-AWS hosts as local', () => {
    expect(isLocalEndpoint('http://localhost:4566')).toBe(true);
    expect(isLocalEndpoint('http://localstack:4566')).toBe(true);
    expect(isLocalEndpoint('https://sqs.eu-west-2.amazonaws.com')).toBe(false);
    expect(isLocalEndpoint(undefined)).toBe(false);
  });

  it('reads the SDK variables from the environment', () => {
    expect(awsOptionsFromEnv({ AWS_ENDPOINT_URL: 'http://x:1', AWS_DEFAULT_REGION: 'eu-west-1' })).toEqual({
      endpoint: 'http://x:1',
      region: 'eu-west-1',
    });
    expect(awsOptionsFromEnv({ AWS_REGION: 'eu-west-2', AWS_ENDPOINT_URL: ' ' })).toEqual({
      endpoint: undefined,
      region: 'eu-west-2',
    });
  });
});

describe('time limits', () => {
  it('reads AWS_REQUEST_TIMEOUT_MS and AWS_TOTAL_TIMEOUT_MS, defaulting to limits that suit 20 s long polls', () => {
    expect(resolveAwsOptions({})).toMatchObject({ requestTimeoutMs: 30_000, totalTimeoutMs: 60_000 });
    expect(awsOptionsFromEnv({ AWS_REQUEST_TIMEOUT_MS: '25000', AWS_TOTAL_TIMEOUT_MS: ' 90000 ' })).toMatchObject({
      requestTimeoutMs: 25_000,
      totalTimeoutMs: 90_000,
    });
  });

  it('refuses a limit that is not a whole number, or a total below one attempt, naming it', () => {
    expect(() => resolveAwsOptions(awsOptionsFromEnv({ AWS_REQUEST_TIMEOUT_MS: '30s' }))).toThrow(/requestTimeoutMs/);
    expect(() => resolveAwsOptions({ requestTimeoutMs: 30_000, totalTimeoutMs: 1000 })).toThrow(
      /totalTimeoutMs.*must be at least requestTimeoutMs/,
    );
  });
});
