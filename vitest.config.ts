import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'repository-service/test/**/*.test.ts', 'workers/test/**/*.test.ts'],
    globalSetup: ['test-support/src/global-setup.ts'],
    // Files run in parallel: each uses its own topic/queue prefix and its own Postgres schema.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: '.vitest-results.json' },
  },
});
