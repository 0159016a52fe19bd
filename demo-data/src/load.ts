import { z } from 'zod';
import { LoadError } from './errors.js';
import { generateDoctors, generateOptionsSchema, recordsOf } from './generate.js';
import { answerError, sendRequest } from './http.js';
import { ndjsonStream } from './ndjson.js';
import { type ProgressReporter, silentProgress } from './progress.js';
import { DEMO_RECORD_KINDS, type DemoRecordKind, type DemoRecords } from './types.js';

/** The bulk import endpoints (NDJSON, one record per line); connection failures have none and go one by one. */
export const BULK_IMPORT_PATHS = {
  trainees: '/api/tcs/trainees',
  'gmc-doctors': '/api/gmc/doctors',
  recommendations: '/api/recommendations',
} as const satisfies Partial<Record<DemoRecordKind, string>>;

/** `PUT` one connection failure here (URL-encoded GMC number appended). */
export const CONNECTION_FAILURE_PATH = '/api/connection-failures/';

export const loadOptionsSchema = generateOptionsSchema.extend({
  /** Base URL of the repository-service, e.g. `http://127.0.0.1:8080`. */
  url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL, e.g. http://127.0.0.1:8080' }),
  /** The repository-service's WRITE token, sent as `Authorization: Bearer <token>`. */
  token: z.string().min(1, 'must not be empty: the WRITE token of the repository-service'),
  /**
   * Records per bulk request: each kind is streamed in requests of at most this many lines (0 = one
   * request per kind). Smaller requests show rejections sooner; larger ones commit in fewer transactions.
   * Decision: 1000 trainees are about 0.7 MB, under fastify's default 1 MiB body limit.
   * @defaultValue 1000
   */
  recordsPerRequest: z.number().int().min(0).default(1000),
  /**
   * How many connection-failure PUTs are in flight at once.
   * @defaultValue 8
   */
  concurrency: z.number().int().min(1).max(64).default(8),
});

/** Options of {@link loadDemoData}: what to generate, and where to send it. */
export type LoadOptions = z.input<typeof loadOptionsSchema>;

/** A line the service rejected, numbered from 1 within its kind (not within its request). */
export interface RejectedLine {
  line: number;
  reason: string;
}

/** What happened to one kind's records. */
export interface KindSummary {
  kind: DemoRecordKind;
  /** Records sent. */
  sent: number;
  /** Records the service said it received (equals `sent` unless lines got lost on the way). */
  received: number;
  accepted: number;
  rejected: number;
  /** How many HTTP requests carried them. */
  requests: number;
  /** The first rejections (at most {@link MAX_REPORTED_ERRORS}). */
  errors: RejectedLine[];
}

/** Per kind, in load order. */
export interface LoadSummary {
  kinds: KindSummary[];
  durationMs: number;
}

/** The most rejections kept per kind; the counts still cover all of them. */
export const MAX_REPORTED_ERRORS = 20;

/** The bulk import answer: the repository-service's contract. */
const bulkAnswerSchema = z.object({
  received: z.number().int().min(0),
  accepted: z.number().int().min(0),
  rejected: z.number().int().min(0),
  errors: z.array(z.object({ line: z.number().int(), reason: z.string() })),
});

/** Extras that do not change what is loaded. */
export interface LoadRuntime {
  progress?: ProgressReporter;
  signal?: AbortSignal;
}

/**
 * Generates the demo data and sends it to the repository-service: trainees, GMC doctors and
 * recommendations each streamed as NDJSON to its bulk import endpoint (the records are generated while
 * the request body is being sent, never held together), then connection failures as PUTs.
 *
 * @throws LoadError when the service is unreachable (`unreachable`), refuses the token (`unauthorized`,
 *   `forbidden`) or answers outside its contract (`bad-answer`). Rejected records are not errors: they
 *   are counted in the summary.
 * @example
 * const summary = await loadDemoData({
 *   doctors: 2000, seed: 'demo', today: '2026-03-15', url: 'http://127.0.0.1:8080', token: process.env.WRITE_TOKEN ?? '',
 * });
 * console.log(formatSummary(summary));
 */
export async function loadDemoData(options: LoadOptions, runtime: LoadRuntime = {}): Promise<LoadSummary> {
  const resolved = loadOptionsSchema.parse(options);
  const progress = runtime.progress ?? silentProgress;
  const started = performance.now();
  const kinds: KindSummary[] = [];
  for (const kind of DEMO_RECORD_KINDS) {
    progress.startKind(kind, resolved.doctors);
    try {
      kinds.push(
        kind === 'connection-failures'
          ? await putConnectionFailures(trackedRecords(kind, resolved, progress), resolved, runtime)
          : await postBulk(kind, BULK_IMPORT_PATHS[kind], trackedRecords(kind, resolved, progress), resolved, runtime),
      );
    } finally {
      progress.stopKind();
    }
  }
  return { kinds, durationMs: Math.round(performance.now() - started) };
}

type ResolvedLoadOptions = z.output<typeof loadOptionsSchema>;

/** A kind's records, reporting progress per doctor as they are pulled. */
function* trackedRecords<K extends DemoRecordKind>(
  kind: K,
  options: ResolvedLoadOptions,
  progress: ProgressReporter,
): Generator<DemoRecords[K], void, undefined> {
  let records = 0;
  for (const doctor of generateDoctors(options)) {
    const ofDoctor = recordsOf(doctor, kind);
    yield* ofDoctor;
    records += ofDoctor.length;
    progress.update(doctor.index + 1, records);
  }
}

function endpoint(base: string, path: string): URL {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
  return url;
}

function authorization(options: ResolvedLoadOptions): string {
  return `Bearer ${options.token}`;
}

async function postBulk(
  kind: DemoRecordKind,
  path: string,
  records: Iterator<unknown>,
  options: ResolvedLoadOptions,
  runtime: LoadRuntime,
): Promise<KindSummary> {
  const url = endpoint(options.url, path);
  const summary: KindSummary = { kind, sent: 0, received: 0, accepted: 0, rejected: 0, requests: 0, errors: [] };
  const limit = options.recordsPerRequest === 0 ? Number.POSITIVE_INFINITY : options.recordsPerRequest;
  // One record is read ahead so that a request is only made when it has at least one line.
  let ahead = records.next();
  const batch = function* (): Generator<unknown, void, undefined> {
    let inBatch = 0;
    while (!ahead.done && inBatch < limit) {
      const record = ahead.value;
      inBatch++;
      summary.sent++;
      ahead = records.next();
      yield record;
    }
  };
  while (!ahead.done) {
    const lineOffset = summary.sent;
    const answer = await sendRequest({
      method: 'POST',
      url,
      headers: {
        'content-type': 'application/x-ndjson',
        authorization: authorization(options),
        accept: 'application/json',
      },
      body: ndjsonStream(batch()),
      signal: runtime.signal,
    });
    summary.requests++;
    if (answer.status < 200 || answer.status >= 300) throw answerError(answer, url);
    const parsed = bulkAnswerSchema.safeParse(parseJson(answer.body));
    if (!parsed.success) {
      throw new LoadError(
        'bad-answer',
        url.href,
        `${url.pathname} answered ${answer.status} without { received, accepted, rejected, errors }: ` +
          `${answer.body.slice(0, 300)}; is ${options.url} the repository-service?`,
      );
    }
    summary.received += parsed.data.received;
    summary.accepted += parsed.data.accepted;
    summary.rejected += parsed.data.rejected;
    for (const error of parsed.data.errors) {
      if (summary.errors.length >= MAX_REPORTED_ERRORS) break;
      summary.errors.push({ line: error.line + lineOffset, reason: error.reason });
    }
  }
  return summary;
}

async function putConnectionFailures(
  records: Iterator<DemoRecords['connection-failures']>,
  options: ResolvedLoadOptions,
  runtime: LoadRuntime,
): Promise<KindSummary> {
  const summary: KindSummary = {
    kind: 'connection-failures',
    sent: 0,
    received: 0,
    accepted: 0,
    rejected: 0,
    requests: 0,
    errors: [],
  };
  let stopped = false;
  // Workers share one iterator; `next()` is synchronous, so each record goes to exactly one worker.
  const worker = async () => {
    while (!stopped) {
      const next = records.next();
      if (next.done) return;
      const line = ++summary.sent;
      try {
        await putConnectionFailure(next.value, line, summary, options, runtime);
      } catch (err) {
        stopped = true;
        throw err;
      }
    }
  };
  const outcomes = await Promise.allSettled(Array.from({ length: options.concurrency }, worker));
  // Every worker has stopped by now; report the first failure.
  for (const outcome of outcomes) if (outcome.status === 'rejected') throw outcome.reason;
  return summary;
}

async function putConnectionFailure(
  failure: DemoRecords['connection-failures'],
  line: number,
  summary: KindSummary,
  options: ResolvedLoadOptions,
  runtime: LoadRuntime,
): Promise<void> {
  const url = endpoint(options.url, `${CONNECTION_FAILURE_PATH}${encodeURIComponent(failure.gmcReferenceNumber)}`);
  const answer = await sendRequest({
    method: 'PUT',
    url,
    headers: { 'content-type': 'application/json', authorization: authorization(options), accept: 'application/json' },
    body: JSON.stringify({ gmcReferenceNumber: failure.gmcReferenceNumber, reason: failure.reason }),
    signal: runtime.signal,
  });
  summary.requests++;
  if (answer.status >= 200 && answer.status < 300) {
    summary.received++;
    summary.accepted++;
    return;
  }
  // A 4xx other than 401/403 judges this record; anything else is the service's trouble.
  if (answer.status >= 400 && answer.status < 500 && answer.status !== 401 && answer.status !== 403) {
    summary.received++;
    summary.rejected++;
    if (summary.errors.length < MAX_REPORTED_ERRORS) summary.errors.push({ line, reason: reasonOf(answer.body) });
    return;
  }
  throw answerError(answer, url);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The `message` (or `reason`) of a JSON error answer, else its text. */
function reasonOf(body: string): string {
  const parsed = z
    .union([z.object({ message: z.string() }), z.object({ reason: z.string() })])
    .safeParse(parseJson(body));
  if (!parsed.success) return body.slice(0, 300) || '(no body)';
  return 'message' in parsed.data ? parsed.data.message : parsed.data.reason;
}

/** A plain-text table of the summary, one line per kind, then the first rejections. */
export function formatSummary(summary: LoadSummary): string {
  const header = `${'kind'.padEnd(20)}${'sent'.padStart(10)}${'accepted'.padStart(10)}${'rejected'.padStart(10)}`;
  const lines = [header];
  for (const kind of summary.kinds) {
    lines.push(
      `${kind.kind.padEnd(20)}${String(kind.sent).padStart(10)}${String(kind.accepted).padStart(10)}${String(kind.rejected).padStart(10)}`,
    );
  }
  lines.push(`in ${(summary.durationMs / 1000).toFixed(1)} s`);
  for (const kind of summary.kinds) {
    if (kind.received !== kind.sent) {
      lines.push(`warning: ${kind.kind}: sent ${kind.sent} records but the service received ${kind.received}`);
    }
    for (const error of kind.errors) lines.push(`rejected ${kind.kind} line ${error.line}: ${error.reason}`);
    if (kind.rejected > kind.errors.length) {
      lines.push(`… and ${kind.rejected - kind.errors.length} more rejected ${kind.kind}`);
    }
  }
  return lines.join('\n');
}
