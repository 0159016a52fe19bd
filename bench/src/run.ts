/**
 * `npm run bench -- <name> [options]`: runs the benchmark in `bench/src/<name>/main.ts`, which exports
 * `benchmark` (see `support/benchmark.ts`). With no name, or an unknown one, lists the benchmarks and
 * exits 2; a bad option exits 2 with the benchmark's usage; a failed run exits 1.
 *
 * @example
 * npm run bench -- aws-local --messages 5000
 */
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Benchmark, UsageError } from './support/benchmark.js';

/** Exit status for a bad command line, as most Unix tools use it. */
const EXIT_USAGE = 2;
/** After the run, handles still open for this long mean a leak; say so and exit rather than hang. */
const EXIT_GRACE_MS = 5_000;

const SOURCE_DIR = new URL('./', import.meta.url);

/** Every directory beside this file holding a `main.ts`, sorted. */
function benchmarkNames(): string[] {
  return readdirSync(SOURCE_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(fileURLToPath(new URL(`${entry.name}/main.ts`, SOURCE_DIR))))
    .map((entry) => entry.name)
    .sort();
}

async function loadBenchmark(name: string): Promise<Benchmark> {
  const module: unknown = await import(new URL(`${name}/main.ts`, SOURCE_DIR).href);
  if (typeof module !== 'object' || module === null || !('benchmark' in module) || !isBenchmark(module.benchmark)) {
    throw new Error(`bench/src/${name}/main.ts exports no \`benchmark\`: export one made with defineBenchmark()`);
  }
  return module.benchmark;
}

function isBenchmark(value: unknown): value is Benchmark {
  return (
    typeof value === 'object' &&
    value !== null &&
    'run' in value &&
    typeof value.run === 'function' &&
    'usage' in value &&
    typeof value.usage === 'function'
  );
}

/** Its description; a module that cannot load is listed with why, so one broken benchmark hides no other. */
async function describeBenchmark(name: string): Promise<string> {
  try {
    return (await loadBenchmark(name)).description;
  } catch (err) {
    return `(cannot load: ${err instanceof Error ? err.message : String(err)})`;
  }
}

async function listing(names: readonly string[]): Promise<string> {
  const width = Math.max(0, ...names.map((name) => name.length));
  const rows = await Promise.all(
    names.map(async (name) => `  ${name.padEnd(width)}  ${await describeBenchmark(name)}`),
  );
  return [
    'usage: npm run bench -- <name> [options]   (npm run bench -- <name> --help for its options)',
    '',
    'benchmarks:',
    ...rows,
  ].join('\n');
}

function describeError(err: unknown): string {
  if (err instanceof AggregateError)
    return [err.message, ...err.errors.map((e) => `  - ${describeError(e)}`)].join('\n');
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? `\n  caused by: ${err.cause.message}` : '';
  return `${err.message}${cause}`;
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  const names = benchmarkNames();
  if (name === undefined || name === '--help' || name === '-h') {
    const text = await listing(names);
    if (name === undefined) {
      process.stderr.write(`name a benchmark to run\n\n${text}\n`);
      return EXIT_USAGE;
    }
    process.stdout.write(`${text}\n`);
    return 0;
  }
  if (!names.includes(name)) {
    process.stderr.write(`unknown benchmark "${name}"\n\n${await listing(names)}\n`);
    return EXIT_USAGE;
  }

  const benchmark = await loadBenchmark(name);
  const interrupt = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) process.exit(130);
    process.stderr.write(`${signal}: stopping ${name} and cleaning up; again to exit at once\n`);
    interrupt.abort(new Error(`interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await benchmark.run(rest, { name, signal: interrupt.signal });
    return interrupt.signal.aborted ? 130 : 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${name}: ${err.message}\n\n${benchmark.usage(name)}\n`);
      return EXIT_USAGE;
    }
    if (interrupt.signal.aborted) {
      process.stderr.write(`${name} interrupted and cleaned up; no figures (${describeError(err)})\n`);
      return 130;
    }
    process.stderr.write(`bench ${name} failed: ${describeError(err)}\n`);
    return 1;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

const status = await main(process.argv.slice(2));
process.exitCode = status;
setTimeout(() => {
  process.stderr.write(`bench: something was left running ${EXIT_GRACE_MS} ms after the end; exiting anyway\n`);
  process.exit(status);
}, EXIT_GRACE_MS).unref();
