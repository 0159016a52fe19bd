import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

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
 * tens of seconds, most of it waiting rather than computing. They run in a project of their own, so
 * `vitest run --project fast` gives quick feedback while `npm test` still runs everything
 * (`--project slow` runs these alone). Longest first (measured 2026-12-05): the order they start in.
 */
const SLOW_TESTS = [
  'packages/cli/test/replay-killed.test.ts',
  'packages/reval/test/sync.test.ts',
  'workers/test/semaphore-g6.test.ts',
  'workers/test/delivery.test.ts',
  'test/readme-tour.test.ts',
  'packages/cli/test/republish.test.ts',
  'repository-service/test/console-browser.test.ts',
  'packages/cli/test/sync.test.ts',
];

/**
 * Starts the slow files first, longest first, then the rest in vitest's own order (by the last
 * run's durations when it has them, else by size). Vitest alone would sort by project name and
 * start the slow project last, leaving one worker busy with a long file at the end.
 */
class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const index = SLOW_TESTS.findIndex((slow) => file.moduleId.endsWith(`/${slow}`));
      return index === -1 ? SLOW_TESTS.length : index;
    };
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

/**
 * Vitest's default is one worker fewer than the cores: one worker on a 2-core machine, so every file
 * ran after the other. Most of the suite's time is spent waiting (child processes starting, visibility
 * timeouts, grace periods, rate-limited replays), so four files at once keep two cores busy.
 */
const MAX_WORKERS = Math.max(4, availableParallelism());

export default defineConfig({
  ssr: { resolve: { conditions } },
  // `__vitest__` is the environment vitest loads the global setup in.
  environments: { __vitest__: { resolve: { conditions } } },
  test: {
    globalSetup: ['test-support/src/global-setup.ts'],
    // Files run in parallel: each uses its own topic/queue prefix and its own Postgres schema.
    pool: 'forks',
    maxWorkers: MAX_WORKERS,
    sequence: { sequencer: SlowFirstSequencer },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: '.vitest-results.json' },
    projects: [
      // Fast files share their workers' module cache (no re-import of the SDK, kysely, fastify… per
      // file): nothing in them changes a shared module, and helpers register their hooks per file.
      { extends: true, test: { name: 'fast', include: ALL_TESTS, exclude: SLOW_TESTS, isolate: false } },
      { extends: true, test: { name: 'slow', include: SLOW_TESTS } },
    ],
  },
});
