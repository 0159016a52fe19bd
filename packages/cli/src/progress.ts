import type { Progress, ProgressTask } from '@changeflow/outbox';
import cliProgress from 'cli-progress';

export type { Progress } from '@changeflow/outbox';

/** Where progress goes and how. */
export interface ProgressOptions {
  /** The stream, normally `process.stderr`. */
  stream: NodeJS.WritableStream;
  /** A terminal gets a live bar (cli-progress); anything else gets plain lines. */
  isTTY: boolean;
  /**
   * Plain mode: the shortest time between two lines, in ms.
   * @defaultValue 2000
   */
  intervalMs?: number;
}

/**
 * Progress on stderr: a cli-progress bar when stderr is a terminal, otherwise a plain line
 * (`<label>: <done>/<total> (<percent>%) <detail>`) at most every `intervalMs` and one at the end,
 * so logs of a job runner stay readable.
 */
export function createProgress(options: ProgressOptions): Progress {
  return {
    start: (label, total) => (options.isTTY ? barTask(options.stream, label, total) : plainTask(options, label, total)),
  };
}

function barTask(stream: NodeJS.WritableStream, label: string, total: number): ProgressTask {
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: `${label} [{bar}] {value}/{total} {percentage}% | eta {eta_formatted} | {detail}`,
      hideCursor: true,
      etaBuffer: 50,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { detail: '' });
  let isStopped = false;
  return {
    increment: (by, detail) => bar.increment(by, detail === undefined ? {} : { detail }),
    setTotal: (next) => bar.setTotal(next),
    stop() {
      if (isStopped) return;
      isStopped = true;
      bar.stop();
    },
  };
}

function plainTask(options: ProgressOptions, label: string, initialTotal: number): ProgressTask {
  const intervalMs = options.intervalMs ?? 2000;
  const started = Date.now();
  let total = initialTotal;
  let done = 0;
  let detail = '';
  let lastLineAt = 0;
  let isStopped = false;
  const line = () => {
    const percent = total > 0 ? ` (${Math.floor((done / total) * 100)}%)` : '';
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    options.stream.write(`${label}: ${done}/${total}${percent} ${seconds}s${detail ? ` ${detail}` : ''}\n`);
    lastLineAt = Date.now();
  };
  return {
    increment(by, nextDetail) {
      done += by;
      if (nextDetail !== undefined) detail = nextDetail;
      if (Date.now() - lastLineAt >= intervalMs) line();
    },
    setTotal(next) {
      total = next;
    },
    stop() {
      if (isStopped) return;
      isStopped = true;
      line();
    },
  };
}
