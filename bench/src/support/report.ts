/** One figure of a benchmark. Non-finite numbers (no samples, nothing measured) become `null` in JSON. */
export type Figure = number | string | boolean | null;

/**
 * A benchmark's figures, flat so runs compare key by key. Keys carry their unit as DESIGN.md asks of
 * names: `messagesPerSecond`, `latencyP99Ms`, `durationMs`.
 */
export type Figures = Readonly<Record<string, Figure>>;

/** Decimals kept in both the readable lines and the JSON line: more would be noise, not precision. */
const DECIMALS = 2;

/**
 * Prints the figures of benchmark `name` as readable lines and then, last, exactly one line that is the
 * JSON object `{"bench":"<name>", ...figures}` (DESIGN.md §6), so a script can take the final line of
 * stdout. Progress and warnings belong on stderr, never after this.
 *
 * @example
 * report('aws-local', { messagesPerSecond: 4210.53, latencyP99Ms: 3.1 });
 * // aws-local
 * //   messages per second  4,210.53
 * //   latency p99 ms       3.1
 * // {"bench":"aws-local","messagesPerSecond":4210.53,"latencyP99Ms":3.1}
 */
export function report(name: string, figures: Figures, write: (line: string) => void = writeLine): void {
  if ('bench' in figures) {
    throw new Error(`benchmark ${name} reports a figure named "bench": that key is the benchmark's name; rename it`);
  }
  const labels = Object.keys(figures).map(labelOf);
  const width = Math.max(0, ...labels.map((label) => label.length));
  write(name);
  Object.values(figures).forEach((figure, index) => {
    write(`  ${(labels[index] ?? '').padEnd(width)}  ${formatFigure(figure)}`);
  });
  const json: Record<string, Figure> = { bench: name };
  for (const [key, figure] of Object.entries(figures)) json[key] = jsonFigure(figure);
  write(JSON.stringify(json));
}

function writeLine(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** `latencyP99Ms` → `latency p99 ms`. */
function labelOf(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}

function formatFigure(figure: Figure): string {
  if (typeof figure !== 'number') return String(figure);
  if (!Number.isFinite(figure)) return 'n/a';
  return figure.toLocaleString('en-US', { maximumFractionDigits: DECIMALS });
}

function jsonFigure(figure: Figure): Figure {
  if (typeof figure !== 'number') return figure;
  if (!Number.isFinite(figure)) return null;
  const scale = 10 ** DECIMALS;
  return Math.round(figure * scale) / scale;
}
