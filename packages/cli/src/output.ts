/** Where a command's result goes: text for people, or one JSON document for scripts. */
export interface Output {
  /** `--json`: stdout carries exactly one JSON document per result (one per refresh with `--watch`). */
  readonly isJson: boolean;
  /** Prints a result: `render(result)` for people, the result itself as JSON with `--json`. */
  result<T>(result: T, render: (result: T) => string): void;
  /** Writes a document to stdout as it is (a template, pre-rendered JSON). */
  write(text: string): void;
  /** A note for people (stderr), never part of the result. */
  note(text: string): void;
  /** Clears the terminal before a refresh (`--watch`); nothing when stdout is not a terminal or with `--json`. */
  clearScreen(): void;
}

/** The streams of one run of the CLI. */
export interface OutputStreams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
}

/** An {@link Output} on these streams. */
export function createOutput(streams: OutputStreams, isJson: boolean): Output {
  return {
    isJson,
    result(result, render) {
      streams.stdout.write(isJson ? `${JSON.stringify(result)}\n` : `${render(result)}\n`);
    },
    write(text) {
      streams.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    },
    note(text) {
      streams.stderr.write(`${text}\n`);
    },
    clearScreen() {
      if (!isJson && streams.stdout.isTTY === true) streams.stdout.write('\x1b[2J\x1b[H');
    },
  };
}

/** A plain text table: a header row and left-aligned columns two spaces apart. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** `950 ms`, `12.3 s`, `4 min 5 s`, `2 h 3 min`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} min ${Math.floor((ms % 60_000) / 1000)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** An ISO-8601 time without milliseconds, in UTC. */
export function formatTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** `text` cut to `max` characters, with `…` when it was longer. */
export function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}
