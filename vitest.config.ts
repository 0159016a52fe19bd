import { defineConfig } from 'vitest/config';

/**
 * The workspace packages resolve to their TypeScript sources (`src/`) through the
 * `@changeflow/source` export condition, so tests run without building `dist/` first; child
 * processes get the same through `SOURCE_NODE_ARGS` from `@changeflow/test-support`.
 */
// Vitest's default server conditions follow ours (setting `conditions` replaces them); vitest also
// passes them to its forks as --conditions, where 'module' would pick the SDK's untranspiled dist-es.
const conditions = ['@changeflow/source', 'node', 'development|production'];

const ALL_TESTS = [
  'packages/*/test/**/*.test.ts',
  'repository-service/test/**/*.test.ts',
  'workers/test/**/*.test.ts',
  'demo-data/test/**/*.test.ts',
  'bench/test/**/*.test.ts',
  'scripts/test/**/*.test.ts',
  'test/**/*.test.ts',
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
  'repository-service/test/console-browser.test.ts',
  'test/readme-tour.test.ts',
];

export default defineConfig({
  ssr: { resolve: { conditions } },
  // `__vitest__` is the environment vitest loads the global setup in.
  environments: { __vitest__: { resolve: { conditions } } },
  test: {
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
