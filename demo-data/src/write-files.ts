import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { generateDoctors, generateOptionsSchema, recordsOf } from './generate.js';
import { ndjsonStream } from './ndjson.js';
import { type ProgressReporter, silentProgress } from './progress.js';
import { DEMO_RECORD_KINDS, type DemoRecordKind } from './types.js';

export const writeFilesOptionsSchema = generateOptionsSchema.extend({
  /**
   * Where to write: `demo.ndjson` gives `demo.trainees.ndjson`, `demo.gmc-doctors.ndjson`,
   * `demo.recommendations.ndjson` and `demo.connection-failures.ndjson` beside it.
   */
  out: z.string().min(1, 'must name a file, e.g. demo.ndjson'),
});

/** Options of {@link writeDemoFiles}. */
export type WriteFilesOptions = z.input<typeof writeFilesOptionsSchema>;

/** One file written. */
export interface WrittenFile {
  kind: DemoRecordKind;
  path: string;
  records: number;
}

/** The file of one kind: `demo.ndjson` → `demo.<kind>.ndjson`. */
export function fileForKind(out: string, kind: DemoRecordKind): string {
  const stem = out.endsWith('.ndjson') ? out.slice(0, -'.ndjson'.length) : out;
  return `${stem}.${kind}.ndjson`;
}

/**
 * Writes the demo data as NDJSON files, one per kind, in the shape the import endpoints take, so the
 * generator is usable without a running repository-service (`curl --data-binary @demo.trainees.ndjson`).
 * Records are streamed to disk as they are generated.
 *
 * @example
 * await writeDemoFiles({ doctors: 1000, seed: 'demo', today: '2026-03-15', out: 'tmp/demo.ndjson' });
 */
export async function writeDemoFiles(
  options: WriteFilesOptions,
  progress: ProgressReporter = silentProgress,
): Promise<WrittenFile[]> {
  const resolved = writeFilesOptionsSchema.parse(options);
  await mkdir(path.dirname(path.resolve(resolved.out)), { recursive: true });
  const written: WrittenFile[] = [];
  for (const kind of DEMO_RECORD_KINDS) {
    const file = fileForKind(resolved.out, kind);
    let records = 0;
    function* counted(): Generator<unknown, void, undefined> {
      for (const doctor of generateDoctors(resolved)) {
        const ofDoctor = recordsOf(doctor, kind);
        yield* ofDoctor;
        records += ofDoctor.length;
        progress.update(doctor.index + 1, records);
      }
    }
    progress.startKind(kind, resolved.doctors);
    try {
      await pipeline(ndjsonStream(counted()), createWriteStream(file));
    } finally {
      progress.stopKind();
    }
    written.push({ kind, path: file, records });
  }
  return written;
}
