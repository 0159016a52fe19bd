import { parseArgs } from 'node:util';

/**
 * Glossary:
 * - benchmark: a module `bench/src/<name>/main.ts` exporting `benchmark`, run by `npm run bench -- <name>`.
 * - figure: one measured number (or fact) a benchmark reports; see `report.ts`.
 * - option: a `--kebab-case <integer>` flag of one benchmark, declared with its default and bounds;
 *   or a comma-separated list of them (`--rates 100,250,1000`) when the default is a list.
 */

/** A whole-number command-line option of a benchmark. */
export interface IntegerOption {
  /** What it sets, with its unit, as shown in the usage text. */
  readonly description: string;
  /** Value when the flag is not given. */
  readonly default: number;
  /** Smallest accepted value. */
  readonly min: number;
  /** Largest accepted value: every loop a benchmark runs is bounded, so every option is too. */
  readonly max: number;
}

/** A comma-separated list of whole numbers (`--rates 100,250,1000`), each within the bounds. */
export interface IntegerListOption {
  /** What it sets, with its unit, as shown in the usage text. */
  readonly description: string;
  /** Values when the flag is not given; at least one. */
  readonly default: readonly number[];
  /** Smallest accepted value of each item. */
  readonly min: number;
  /** Largest accepted value of each item. */
  readonly max: number;
}

/** Options a benchmark declares, keyed by their camelCase name (`maxSeconds` is `--max-seconds`). */
export type OptionSpecs = Readonly<Record<string, IntegerOption | IntegerListOption>>;

/** The values of {@link OptionSpecs} after parsing and defaults. */
export type OptionValues<S extends OptionSpecs> = {
  readonly [K in keyof S]: S[K] extends IntegerListOption ? readonly number[] : number;
};

/** What the runner hands a benchmark besides its options. */
export interface BenchContext {
  /** The benchmark's name, as typed after `npm run bench --`. */
  readonly name: string;
  /** Aborted on SIGINT/SIGTERM: stop measuring, clean up, and return or throw. */
  readonly signal: AbortSignal;
}

/** What a benchmark module declares; {@link defineBenchmark} turns it into a {@link Benchmark}. */
export interface BenchmarkDefinition<S extends OptionSpecs> {
  /** One line: what the figures tell. */
  readonly description: string;
  readonly options: S;
  /** Measures, prints its figures with `report()` and cleans up whatever it started, even on error. */
  run(options: OptionValues<S>, context: BenchContext): Promise<void>;
}

/** A runnable benchmark: what `bench/src/<name>/main.ts` exports as `benchmark`. */
export interface Benchmark {
  readonly description: string;
  /** The usage text: synopsis and every option with its default and bounds. */
  usage(name: string): string;
  /** Parses `argv` (everything after the name); throws {@link UsageError} on a bad argument. */
  run(argv: readonly string[], context: BenchContext): Promise<void>;
}

/** A bad command line: the runner prints the message and the usage, then exits with status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * Declares a benchmark with typed, bounded integer options parsed by `node:util`'s `parseArgs`.
 * `--help` prints the usage and runs nothing.
 *
 * @example
 * export const benchmark = defineBenchmark({
 *   description: 'how fast nothing happens',
 *   options: { rounds: { description: 'rounds to run', default: 10, min: 1, max: 1000 } },
 *   async run({ rounds }, { name }) {
 *     report(name, { rounds });
 *   },
 * });
 */
export function defineBenchmark<S extends OptionSpecs>(definition: BenchmarkDefinition<S>): Benchmark {
  const usage = (name: string) => usageOf(name, definition);
  return {
    description: definition.description,
    usage,
    async run(argv, context) {
      const options = parseOptions(definition.options, argv);
      if (options === 'help') {
        process.stdout.write(`${usage(context.name)}\n`);
        return;
      }
      await definition.run(options, context);
    },
  };
}

function flagOf(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

function parseOptions<S extends OptionSpecs>(specs: S, argv: readonly string[]): OptionValues<S> | 'help' {
  const flags: Record<string, { type: 'string' } | { type: 'boolean'; short: string }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const key of Object.keys(specs)) flags[flagOf(key)] = { type: 'string' };
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], options: flags, strict: true, allowPositionals: false }));
  } catch (err) {
    // parseArgs's messages name the offending flag ("Unknown option '--mesages'"); keep them.
    throw new UsageError(err instanceof Error ? err.message : String(err), { cause: err });
  }
  if (values.help === true) return 'help';
  const problems: string[] = [];
  const parsed: Record<string, number | readonly number[]> = {};
  for (const [key, spec] of Object.entries(specs)) {
    const raw = values[flagOf(key)];
    if (typeof raw !== 'string') {
      parsed[key] = spec.default;
      continue;
    }
    const isList = isListOption(spec);
    const items = isList ? raw.split(',') : [raw];
    const numbers = items.map((item) => Number(item));
    const isValid = items.every(
      (item, index) =>
        item.trim() !== '' &&
        Number.isInteger(numbers[index]) &&
        (numbers[index] ?? Number.NaN) >= spec.min &&
        (numbers[index] ?? Number.NaN) <= spec.max,
    );
    if (isValid) {
      parsed[key] = isList ? numbers : (numbers[0] ?? spec.min);
    } else {
      const expected = isList ? 'a comma-separated list of whole numbers' : 'a whole number';
      problems.push(`--${flagOf(key)} ${JSON.stringify(raw)}: expected ${expected} from ${spec.min} to ${spec.max}`);
    }
  }
  if (problems.length > 0) throw new UsageError(problems.join('; '));
  return parsed as OptionValues<S>;
}

function usageOf<S extends OptionSpecs>(name: string, definition: BenchmarkDefinition<S>): string {
  const rows = Object.entries(definition.options).map(([key, spec]) => ({
    flag: `--${flagOf(key)} ${isListOption(spec) ? '<n,n,…>' : '<n>'}`,
    text: `${spec.description} (default ${spec.default.toString()}; ${spec.min}..${spec.max})`,
  }));
  rows.push({ flag: '-h, --help', text: 'print this and run nothing' });
  const width = Math.max(...rows.map((row) => row.flag.length));
  return [
    `usage: npm run bench -- ${name} [options]`,
    '',
    definition.description,
    '',
    'options:',
    ...rows.map((row) => `  ${row.flag.padEnd(width)}  ${row.text}`),
  ].join('\n');
}

function isListOption(spec: IntegerOption | IntegerListOption): spec is IntegerListOption {
  return Array.isArray(spec.default);
}
