/**
 * The benchmark harness: what a benchmark in `bench/src/<name>/main.ts` builds on. Run benchmarks
 * with `npm run bench -- <name>` (see `run.ts` and the README).
 */
export type { AwsLocalProcess, BenchAwsEndpoint } from './support/aws-endpoint.js';
export { openBenchAwsEndpoint, startAwsLocalProcess } from './support/aws-endpoint.js';
export type {
  BenchContext,
  Benchmark,
  BenchmarkDefinition,
  IntegerListOption,
  IntegerOption,
  OptionSpecs,
  OptionValues,
} from './support/benchmark.js';
export { defineBenchmark, UsageError } from './support/benchmark.js';
export type { Percentiles } from './support/percentiles.js';
export { percentileOfSorted, percentiles } from './support/percentiles.js';
export { progress, showProgress } from './support/progress.js';
export type { Figure, Figures } from './support/report.js';
export { report } from './support/report.js';
export { runTogether, unlessAborted } from './support/run-together.js';
export type { Defer } from './support/with-cleanup.js';
export { withCleanup } from './support/with-cleanup.js';
