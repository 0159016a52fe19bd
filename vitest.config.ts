import { defineConfig } from 'vitest/config';

const ALL_TESTS = [
  'packages/*/test/**/*.test.ts',
  'repository-service/test/**/*.test.ts',
  'workers/test/**/*.test.ts',
  'demo-data/test/**/*.test.ts',
  'bench/test/**/*.test.ts',
  'scripts/test/**/*.test.ts',
];

/**
 * Files that kill or restart processes, or wait out visibility timeouts and full syncs: each takes
 * tens of seconds. They run in a project of their own, so `vitest run --project fast` gives quick
 * feedback while `npm test` still runs everything (`--project slow` runs these alone).
 */
const SLOW_TESTS = [
  'packages/reval/test/sync.test.ts',
  'packages/cli/test/replay-killed.test.ts',
  'packages/cli/test/republish.test.ts',
  'packages/cli/test/sync.test.ts',
  'workers/test/delivery.test.ts',
  'workers/test/semaphore-g6.test.ts',
];

export default defineConfig({
  test: {
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    globalSetup: ['test-support/src/global-setup.ts'],
    // Files run in parallel: each uses its own topic/queue prefix and its own Postgres schema.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: '.vitest-results.json' },
    projects: [
      { extends: true, test: { name: 'fast', include: ALL_TESTS, exclude: SLOW_TESTS } },
      { extends: true, test: { name: 'slow', include: SLOW_TESTS } },
    ],
  },
});
