import { parseOptions } from '@changeflow/errors';
import { z } from 'zod';

/**
 * How to reach SNS and SQS. Everything has a default, so `{}` means "AWS in the region the SDK's own
 * variables name" and `{ endpoint }` means "this local endpoint with dummy credentials".
 */
export const awsOptionsSchema = z
  .object({
    /**
     * Endpoint for both SNS and SQS, e.g. `http://127.0.0.1:4566` for the local SNS/SQS or LocalStack.
     * Unset means AWS itself.
     * @defaultValue undefined
     */
    endpoint: z.string().url().optional(),
    /**
     * AWS region. Unset lets the SDK resolve it (`AWS_REGION`, profile); a local endpoint falls back to
     * `us-east-1`.
     * @defaultValue undefined
     */
    region: z.string().min(1).optional(),
    /**
     * Sockets per host in the one keep-alive agent shared by every client. Each long-polling consumer
     * holds one for up to 20 s, so leave room for the publisher and every consumer of the process.
     * @defaultValue 64
     */
    maxSockets: z.number().int().positive().default(64),
    /**
     * Attempts per call, including the first, with the SDK's standard jittered backoff between them.
     * @defaultValue 3
     */
    maxAttempts: z.number().int().positive().default(3),
    /**
     * How long to wait for a TCP connection before the attempt fails.
     * @defaultValue 3000
     */
    connectionTimeoutMs: z.number().int().positive().default(3000),
    /**
     * How long one attempt (request and answer) may take before it fails with a `TimeoutError` and the
     * SDK retries. Also the longest a socket may sit silent. It must exceed the longest SQS long poll
     * (`WaitTimeSeconds` 20 s) with room to spare; a frozen endpoint or a half-open connection is given
     * up after it.
     * @defaultValue 30000
     */
    requestTimeoutMs: z.number().int().positive().default(30_000),
    /**
     * How long one call may take in all, every attempt and backoff included; then it fails with an
     * `AbortError` (`ABORT_ERR`). A caller's own `abortSignal` still applies as well.
     * @defaultValue 60000
     */
    totalTimeoutMs: z.number().int().positive().default(60_000),
  })
  .refine((o) => o.totalTimeoutMs >= o.requestTimeoutMs, {
    path: ['totalTimeoutMs'],
    message: 'must be at least requestTimeoutMs',
  });

/** What callers pass to {@link createAwsClients}. */
export type AwsOptions = z.input<typeof awsOptionsSchema>;
/** {@link AwsOptions} after defaults. */
export type ResolvedAwsOptions = z.output<typeof awsOptionsSchema>;

/** Validates options once, filling defaults; a bad field raises a `ConfigError` naming it and its value. */
export function resolveAwsOptions(options: AwsOptions = {}): ResolvedAwsOptions {
  return parseOptions(awsOptionsSchema, options, 'AWS options');
}

/**
 * Reads the AWS options an app takes from its environment: `AWS_ENDPOINT_URL` (the SDK's own name),
 * `AWS_REGION` / `AWS_DEFAULT_REGION`, and the time limits `AWS_REQUEST_TIMEOUT_MS` (per attempt)
 * and `AWS_TOTAL_TIMEOUT_MS` (per call). Credentials stay with the SDK's default chain. A limit that
 * is not a whole number is passed on as `NaN`, which {@link resolveAwsOptions} refuses by name.
 */
export function awsOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): AwsOptions {
  const endpoint = env.AWS_ENDPOINT_URL?.trim() || undefined;
  const region = (env.AWS_REGION ?? env.AWS_DEFAULT_REGION)?.trim() || undefined;
  const milliseconds = (value: string | undefined) => {
    const trimmed = value?.trim();
    if (!trimmed) return undefined;
    return /^\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  };
  const requestTimeoutMs = milliseconds(env.AWS_REQUEST_TIMEOUT_MS);
  const totalTimeoutMs = milliseconds(env.AWS_TOTAL_TIMEOUT_MS);
  return {
    endpoint,
    region,
    ...(requestTimeoutMs === undefined ? {} : { requestTimeoutMs }),
    ...(totalTimeoutMs === undefined ? {} : { totalTimeoutMs }),
  };
}

/**
 * An endpoint that is not AWS's own (`*.amazonaws.com`): the local SNS/SQS, LocalStack, moto.
 * Only such an endpoint gets fixed dummy credentials.
 */
export function isLocalEndpoint(endpoint: string | undefined): boolean {
  if (endpoint === undefined) return false;
  const { hostname } = new URL(endpoint);
  return !hostname.endsWith('.amazonaws.com') && !hostname.endsWith('.amazonaws.com.cn');
}
