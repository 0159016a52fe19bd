import { defineConfig } from 'vitest/config';

/**
 * The workspace packages resolve to their TypeScript sources (`src/`) through the
 * `@changeflow/source` export condition, so tests run without building `dist/` first; child
 * processes get the same through `SOURCE_NODE_ARGS` from `@changeflow/test-support`.
 */
// Vitest's default server conditions follow ours (setting `conditions` replaces them); vitest also
// passes them to its forks as --conditions, where 'module' would pick the SDK's untranspiled dist-es.
const conditions = ['@changeflow/source', 'node', 'development|production'];

export default defineConfig({
  ssr: { resolve: { conditions } },
  // `__vitest__` is the environment vitest loads the global setup in.
  environments: { __vitest__: { resolve: { conditions } } },
  test: {
    include: [
      'packages/*/test/**/*.test.ts',
      'repository-service/test/**/*.test.ts',
      'workers/test/**/*.test.ts',
      'demo-data/test/**/*.test.ts',
      'bench/test/**/*.test.ts',
      'test/**/*.test.ts',
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
