import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    include: [
      'packages/*/test/**/*.test.ts',
      'repository-service/test/**/*.test.ts',
      'workers/test/**/*.test.ts',
      'demo-data/test/**/*.test.ts',
      'bench/test/**/*.test.ts',
    ],
    globalSetup: ['test-support/src/global-setup.ts'],
    // Files run in parallel: each uses its own topic/queue prefix and its own Postgres schema.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: '.vitest-results.json' },
  },
});
