import cliProgress from 'cli-progress';
import type { DemoRecordKind } from './types.js';

/** Told how far a run has got; one phase per record kind. */
export interface ProgressReporter {
  /** A kind starts: `totalDoctors` doctors will be generated for it. */
  startKind(kind: DemoRecordKind, totalDoctors: number): void;
  /** `doctors` of the kind's doctors are done, which gave `records` records so far. */
  update(doctors: number, records: number): void;
  /** The kind is done. */
  stopKind(): void;
}

/** Reports nothing (tests, `--quiet`). */
export const silentProgress: ProgressReporter = {
  startKind: () => {},
  update: () => {},
  stopKind: () => {},
};

/**
 * A progress bar on `stream` when it is a terminal, otherwise one plain line per tenth of each kind (so
 * logs of a CI job or `docker compose run` stay readable).
 */
export function createProgress(stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  return stream.isTTY ? barProgress(stream) : lineProgress(stream);
}

function barProgress(stream: NodeJS.WriteStream): ProgressReporter {
  let bar: cliProgress.SingleBar | null = null;
  return {
    startKind(kind, totalDoctors) {
      bar = new cliProgress.SingleBar(
        {
          stream,
          format: `${kind.padEnd(19)} {bar} {value}/{total} doctors | {records} records | {duration_formatted}`,
          hideCursor: true,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(totalDoctors, 0, { records: 0 });
    },
    update(doctors, records) {
      bar?.update(doctors, { records });
    },
    stopKind() {
      bar?.stop();
      bar = null;
    },
  };
}

function lineProgress(stream: NodeJS.WriteStream): ProgressReporter {
  let current: { kind: DemoRecordKind; total: number; nextTenth: number; records: number } | null = null;
  return {
    startKind(kind, total) {
      current = { kind, total, nextTenth: 1, records: 0 };
      stream.write(`${kind}: generating ${total} doctors\n`);
    },
    update(doctors, records) {
      if (current === null) return;
      current.records = records;
      if (current.total === 0 || doctors < (current.total * current.nextTenth) / 10) return;
      stream.write(`${current.kind}: ${doctors}/${current.total} doctors, ${records} records\n`);
      current.nextTenth = Math.floor((doctors * 10) / current.total) + 1;
    },
    stopKind() {
      if (current !== null) stream.write(`${current.kind}: done, ${current.records} records\n`);
      current = null;
    },
  };
}
