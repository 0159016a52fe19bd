/** Postgres the tests use; every test file works in a schema of its own inside it. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

declare module 'vitest' {
  export interface ProvidedContext {
    /** SNS/SQS endpoint for this run: `AWS_ENDPOINT_URL` when set, else the local SNS/SQS the global setup started. */
    awsEndpoint: string;
    /** True when the endpoint is the local SNS/SQS started for this run (fauxqs), false for any other. */
    isLocalAws: boolean;
  }
}
