import { setTimeout as sleep } from 'node:timers/promises';
import { addDays, DEFAULT_DESIGNATED_BODIES } from '@changeflow/reval';
import { retryAfterMs } from '../support/retry-after.js';

/** First GMC number of the soak's doctors; the poisoned one lies outside their range. */
const FIRST_GMC_NUMBER = 7_000_000;
/** Longest a write keeps retrying (service down, SNS/SQS down, backend killed) before it is given up. */
const WRITE_GIVE_UP_MS = 60_000;
/** One request's own limit: a service SIGKILLed mid-request leaves the socket to time out. */
const REQUEST_TIMEOUT_MS = 10_000;
/** First retry delay; doubles per attempt up to {@link MAX_RETRY_DELAY_MS}, with full jitter. */
const FIRST_RETRY_DELAY_MS = 50;
const MAX_RETRY_DELAY_MS = 2_000;

/** What the write load did, for the report and the durability check. */
export interface WriteLoadStats {
  /** Writes the API acknowledged (2xx), by kind. */
  acknowledged: Record<string, number>;
  /** Change numbers of every acknowledged write: each must be in the change log (G1). */
  acknowledgedChangeNumbers: string[];
  /** Attempts that failed and were retried: refused connections, resets, 5xx, time-outs. */
  retriedAttempts: number;
  /** Failed attempts by cause (`ECONNREFUSED`, `http 500`, …). */
  failures: Record<string, number>;
  /** Writes given up after {@link WRITE_GIVE_UP_MS} of retrying: their outcome is unknown. */
  givenUp: number;
  /** Answers that are neither success nor a retryable failure (a 4xx means the soak is wrong). */
  rejected: string[];
}

/** Where the writes go. */
export interface WriteTarget {
  readonly urls: readonly string[];
  readonly writeToken: string;
}

/** One write of the API: a method, a path and its JSON body. */
export interface Write {
  readonly kind: string;
  readonly method: 'PUT' | 'DELETE';
  readonly path: string;
  readonly body?: unknown;
}

/** A seeded pseudo-random source (mulberry32), so a failing soak can be run again with the same writes. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function emptyStats(): WriteLoadStats {
  return {
    acknowledged: {},
    acknowledgedChangeNumbers: [],
    retriedAttempts: 0,
    failures: {},
    givenUp: 0,
    rejected: [],
  };
}

/**
 * A random write to one of `doctors` doctors: GMC records, TCS trainees, recommendations and
 * connection failures, and now and then a delete, with dates around `today` so memberships are
 * current, ended or future and the exception and discrepancy rules all come into play.
 */
export function randomWrite(random: () => number, doctors: number, today: string): Write {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const n = Math.floor(random() * doctors);
  const gmc = String(FIRST_GMC_NUMBER + n);
  const body = pick(DEFAULT_DESIGNATED_BODIES);
  const roll = random();
  if (roll < 0.4) {
    return {
      kind: 'gmc-doctor',
      method: 'PUT',
      path: `/api/gmc/doctors/${gmc}`,
      body: {
        doctorFirstName: `Gmc${n}`,
        doctorLastName: pick(['Adams', 'Baker', 'Clarke', 'Davies', 'Evans']),
        submissionDate: addDays(today, Math.floor(random() * 400) - 30),
        dateAdded: '2020-01-01',
        underNotice: pick(['YES', 'NO', 'ON_HOLD'] as const),
        designatedBodyCode: random() < 0.15 ? null : body.code,
        admin: random() < 0.5 ? null : 'admin@example.org',
        existsInGmc: random() < 0.9,
        lastUpdatedDate: today,
      },
    };
  }
  if (roll < 0.75) {
    const start = addDays(today, Math.floor(random() * 1000) - 900);
    return {
      kind: 'trainee',
      method: 'PUT',
      path: `/api/tcs/trainees/${n + 1}`,
      body: {
        gmcReferenceNumber: gmc,
        firstName: `First${n}`,
        lastName: `Last${n}`,
        role: random() < 0.03 ? 'Dummy Record' : 'Trainee',
        programmeMemberships: [
          {
            programmeName: pick(['General Practice', 'Cardiology', 'Paediatrics', 'Surgery']),
            membershipType: pick(['SUBSTANTIVE', 'SUBSTANTIVE', 'VISITOR', 'MILITARY', 'LAT']),
            startDate: start,
            endDate: addDays(start, Math.floor(random() * 1200) + 1),
            programmeOwner: pick(DEFAULT_DESIGNATED_BODIES).owner,
            curricula: [{ curriculumEndDate: addDays(start, 1100) }],
          },
        ],
        placements: [{ gradeId: random() < 0.1 ? '279' : '300', startDate: start, endDate: addDays(start, 365) }],
      },
    };
  }
  if (roll < 0.88) {
    const outcome = pick([null, 'APPROVED', 'REJECTED', 'UNDER_REVIEW'] as const);
    return {
      kind: 'recommendation',
      method: 'PUT',
      path: `/api/recommendations/rec-${n}-${Math.floor(random() * 2)}`,
      body: {
        gmcReferenceNumber: gmc,
        type: pick(['REVALIDATE', 'DEFER', 'NON_ENGAGEMENT'] as const),
        status: outcome === null ? 'READY_TO_REVIEW' : 'SUBMITTED',
        outcome,
        gmcSubmissionDate: addDays(today, -Math.floor(random() * 90)),
        actualSubmissionDate: outcome === null ? null : addDays(today, -Math.floor(random() * 90)),
        admin: null,
      },
    };
  }
  if (roll < 0.95) {
    return {
      kind: 'connection-failure',
      method: 'PUT',
      path: `/api/connection-failures/${gmc}`,
      body: { reason: random() < 0.5 ? 'Missing / Invalid Change Code (Reason)' : null },
    };
  }
  return random() < 0.5
    ? { kind: 'delete', method: 'DELETE', path: `/api/gmc/doctors/${gmc}` }
    : { kind: 'delete', method: 'DELETE', path: `/api/tcs/trainees/${n + 1}` };
}

/**
 * Sends one write, retrying on anything a fault can cause (refused or reset connections, time-outs,
 * 5xx) with jittered backoff, after the `Retry-After` of a 503 when there is one, on whichever instance comes next. A 404 of a delete (nothing to delete)
 * counts as done. Resolves once acknowledged or given up; never throws.
 */
export async function sendWrite(target: WriteTarget, write: Write, stats: WriteLoadStats, attemptSeed: number) {
  const deadline = Date.now() + WRITE_GIVE_UP_MS;
  for (let attempt = 0; ; attempt += 1) {
    const url = target.urls[(attemptSeed + attempt) % target.urls.length];
    let cause: string;
    let askedWaitMs: number | undefined;
    try {
      const answer = await fetch(`${url}${write.path}`, {
        method: write.method,
        headers: {
          authorization: `Bearer ${target.writeToken}`,
          ...(write.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: write.body === undefined ? undefined : JSON.stringify(write.body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await answer.text();
      if (answer.ok) {
        stats.acknowledged[write.kind] = (stats.acknowledged[write.kind] ?? 0) + 1;
        const changeNumber = (JSON.parse(text) as { changeNumber?: unknown }).changeNumber;
        if (typeof changeNumber === 'string') stats.acknowledgedChangeNumbers.push(changeNumber);
        return;
      }
      if (answer.status === 404 && write.method === 'DELETE') return;
      if (answer.status < 500) {
        stats.rejected.push(`${write.method} ${write.path}: ${answer.status} ${text.slice(0, 300)}`);
        return;
      }
      cause = `http ${answer.status}`;
      // 503 + Retry-After: the service says how long Postgres needs; wait that, not the backoff.
      askedWaitMs = retryAfterMs(answer.headers.get('retry-after'));
    } catch (err) {
      cause = causeOf(err);
    }
    stats.failures[cause] = (stats.failures[cause] ?? 0) + 1;
    if (Date.now() >= deadline) {
      stats.givenUp += 1;
      return;
    }
    stats.retriedAttempts += 1;
    const ceiling = Math.min(MAX_RETRY_DELAY_MS, FIRST_RETRY_DELAY_MS * 2 ** attempt);
    await sleep((askedWaitMs ?? 0) + Math.random() * ceiling);
  }
}

/** `ECONNREFUSED`, `ECONNRESET`, `TimeoutError`, … from what fetch threw. */
function causeOf(err: unknown): string {
  if (err instanceof Error) {
    const cause = err.cause as NodeJS.ErrnoException | undefined;
    if (cause?.code) return cause.code;
    if (err.name === 'TimeoutError') return 'timeout';
    return err.message.slice(0, 60);
  }
  return String(err);
}

/**
 * Runs writes at `writesPerSecond` in all (open loop: each starts on its schedule, so a slow answer
 * does not slow the load) until `signal` aborts, then waits for the writes in flight.
 */
export async function runWriteLoad(
  target: WriteTarget,
  options: { writesPerSecond: number; doctors: number; today: string; seed: number },
  stats: WriteLoadStats,
  signal: AbortSignal,
): Promise<void> {
  const random = seededRandom(options.seed);
  const inFlight = new Set<Promise<void>>();
  const intervalMs = 1000 / options.writesPerSecond;
  const started = performance.now();
  for (let sent = 0; !signal.aborted; sent += 1) {
    const due = started + sent * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait, undefined, { signal }).catch(() => {});
    if (signal.aborted) break;
    const write = sendWrite(target, randomWrite(random, options.doctors, options.today), stats, sent);
    inFlight.add(write);
    void write.finally(() => inFlight.delete(write));
  }
  await Promise.all(inFlight);
}
