import { setTimeout as sleep } from 'node:timers/promises';
import type { GmcDoctorBody } from '../pipeline/gmc-records.js';
import type { WriteClient } from '../pipeline/http-writes.js';
import { FIRST_NAMES, LAST_NAMES } from '../reval-queries/doctor-data.js';
import { DESIGNATED_BODIES } from '../reval-queries/load-doctors.js';

/**
 * The feeds' side of the mixed benchmark: `PUT /api/gmc/doctors/:gmc` open-loop at a steady rate
 * (write i is sent at start + i / rate, however long earlier ones take), over a pool of doctors of
 * its own. The first pass over the pool creates them, every later pass updates them (a new submission
 * date, under notice or not), so each write is one change the workers project into the indexes.
 */

/**
 * Writes in flight, in seconds of the rate, beyond which the writes due are skipped rather than
 * queued: the service cannot keep up, and queueing more would only grow its backlog without bound.
 * The writers keep it at what it can take, so the readers still meet a saturated pipeline. (Also never
 * more than the client's connections, so no write waits in the client for a socket and the write
 * latency stays the service's.)
 */
const OVERLOAD_SECONDS = 2;

/** The `index`-th doctor of the pool, as its `pass`-th write sends it: 8 digits from 60000000, spread over the bodies. */
function poolDoctorBody(index: number, pass: number): GmcDoctorBody {
  const body = DESIGNATED_BODIES[index % DESIGNATED_BODIES.length];
  const day = 1 + ((index + pass) % 28);
  return {
    gmcReferenceNumber: String(60_000_000 + index),
    doctorFirstName: FIRST_NAMES[index % FIRST_NAMES.length] ?? 'Alex',
    doctorLastName: LAST_NAMES[(index * 7) % LAST_NAMES.length] ?? 'Doe',
    submissionDate: `2027-${String(1 + (pass % 12)).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
    dateAdded: '2024-04-01',
    underNotice: (index + pass) % 5 === 0 ? 'YES' : 'NO',
    designatedBodyCode: body?.code ?? '1-1RUZUSF',
    existsInGmc: true,
  };
}

/** What the writers did. */
export interface SteadyWrites {
  /** Writes sent, answered 2xx, and failed (non-2xx or an error). */
  sent: number;
  answered: number;
  failed: number;
  /** Writes due but not sent because 2 s of writes (or one per connection) already waited for their answers. */
  skipped: number;
  /** Request sent -> answer, ms, of every answered write. */
  writeMs: number[];
  /** First failure, to print. */
  firstFailure?: unknown;
}

/**
 * Sends `ratePerSecond` writes a second until `signal` aborts, then waits for the answers of those
 * sent. Nothing is sent at rate 0.
 */
export async function writeSteadily(
  client: WriteClient,
  options: { ratePerSecond: number; poolSize: number; maxInFlight: number; signal: AbortSignal },
): Promise<SteadyWrites> {
  const result: SteadyWrites = { sent: 0, answered: 0, failed: 0, skipped: 0, writeMs: [] };
  if (options.ratePerSecond === 0) return result;
  const intervalMs = 1000 / options.ratePerSecond;
  const maxWaiting = Math.max(1, Math.min(options.maxInFlight, options.ratePerSecond * OVERLOAD_SECONDS));
  const inFlight = new Set<Promise<void>>();
  const started = performance.now();
  let next = 0;
  while (!options.signal.aborted) {
    const due = Math.floor((performance.now() - started) / intervalMs) + 1;
    for (; next < due; next += 1) {
      if (inFlight.size >= maxWaiting) {
        result.skipped += 1;
        continue;
      }
      const n = result.sent;
      result.sent += 1;
      const body = poolDoctorBody(n % options.poolSize, Math.floor(n / options.poolSize));
      const sentAt = performance.now();
      const write = client.putGmcDoctor(body.gmcReferenceNumber, JSON.stringify(body)).then(
        () => {
          result.answered += 1;
          result.writeMs.push(performance.now() - sentAt);
        },
        (err: unknown) => {
          result.failed += 1;
          result.firstFailure ??= err;
        },
      );
      inFlight.add(write);
      void write.finally(() => inFlight.delete(write));
    }
    await sleep(Math.max(0, started + next * intervalMs - performance.now()));
  }
  await Promise.all(inFlight);
  return result;
}
