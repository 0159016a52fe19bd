import { defineConfig } from 'vitest/config';

/**
 * Runs the demo-data tests on their own (`npx vitest run --config demo-data/vitest.config.ts`): they need
 * neither Postgres nor SNS/SQS, so they skip the root config's global setup.
 */
export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
  },
});
