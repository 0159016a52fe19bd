import { performance } from 'node:perf_hooks';
import type { RevalIndexDatabase } from '@changeflow/reval';
import type { Kysely } from 'kysely';
import { preparedSpec, runSpec } from '../reval-queries/measure.js';
import { buildWorkload, Picker } from '../reval-queries/workload.js';
import { runTogether } from '../support/run-together.js';

/**
 * The officers' side of the mixed benchmark: `readers` loops, each asking one request of the
 * reval-queries mix after another (drawn from its own seeded sequence) through the same functions the
 * HTTP layer calls, and timing each from call to answer. A keyset request's untimed preparation (the
 * page before it, by number) is not counted.
 */

/** Latencies of the requests answered while `isCounting()` was true, in ms. */
export interface ReadSamples {
  readonly byFamily: Map<string, number[]>;
  readonly recommendation: number[];
  readonly connection: number[];
  readonly all: number[];
}

/** Requests drawn at a time per reader (the sequence is seeded, so the same requests each run). */
const REQUESTS_PER_DRAW = 1_000;

/** Reads until `signal` aborts; counts only requests that started and ended while `isCounting()`. */
export async function readSteadily(
  db: Kysely<RevalIndexDatabase>,
  indexSchema: string,
  options: { readers: number; seed: number; signal: AbortSignal; isCounting: () => boolean },
): Promise<ReadSamples> {
  const samples: ReadSamples = { byFamily: new Map(), recommendation: [], connection: [], all: [] };
  await runTogether(options.readers, options.signal, async (reader, signal) => {
    const pick = new Picker(options.seed + reader * 7_919);
    while (!signal.aborted) {
      for (const planned of buildWorkload(REQUESTS_PER_DRAW, pick)) {
        if (signal.aborted) return;
        const spec = await preparedSpec(db, indexSchema, planned);
        const counting = options.isCounting();
        const started = performance.now();
        await runSpec(db, indexSchema, spec);
        const ms = performance.now() - started;
        if (!counting || !options.isCounting()) continue;
        const family = samples.byFamily.get(spec.family) ?? [];
        family.push(ms);
        samples.byFamily.set(spec.family, family);
        (spec.kind === 'recommendation' ? samples.recommendation : samples.connection).push(ms);
        samples.all.push(ms);
      }
    }
  });
  return samples;
}
