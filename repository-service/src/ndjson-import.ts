import { createInterface } from 'node:readline';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { HttpError } from './http-errors.js';
import type { BulkImportResult } from './schemas.js';

/** Refused lines listed in an answer at most; `rejected` still counts them all. */
export const MAX_REPORTED_LINE_ERRORS = 1000;

/** How an NDJSON import reads, checks and commits its lines. */
export interface NdjsonImportOptions<T> {
  /** Validates one parsed line (and fills its defaults). */
  schema: z.ZodType<T>;
  /**
   * The id of a record. A batch never holds two records with one id (one statement can write a row
   * only once): a line that repeats an id in the pending batch commits the batch first, so every
   * line is recorded, in order, with a change of its own.
   */
  idOf(record: T): string;
  /** Commits one batch of valid records in one transaction; throws when the transaction failed. */
  saveBatch(records: readonly T[]): Promise<void>;
  /** Valid lines per batch. */
  batchSize: number;
  /** Bytes of the whole body at most; past it the import stops with 413. */
  maxBytes: number;
  /** Bytes of one line at most; past it the import stops with 413. */
  maxLineBytes: number;
  logger: Logger;
}

/** Stops a body at `maxBytes` in all or `maxLineBytes` in one line, before readline buffers it. */
class BodyLimit extends Transform {
  readonly #maxBytes: number;
  readonly #maxLineBytes: number;
  #bytes = 0;
  #lineBytes = 0;
  #newlines = 0;

  constructor(maxBytes: number, maxLineBytes: number) {
    super();
    this.#maxBytes = maxBytes;
    this.#maxLineBytes = maxLineBytes;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#bytes += chunk.length;
    if (this.#bytes > this.#maxBytes) {
      callback(new LimitExceeded(`the body is larger than ${this.#maxBytes} bytes (BULK_MAX_BYTES)`));
      return;
    }
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(10, start);
      this.#lineBytes += (newline === -1 ? chunk.length : newline) - start;
      if (this.#lineBytes > this.#maxLineBytes) {
        callback(new LimitExceeded(`line ${this.#newlines + 1} is longer than ${this.#maxLineBytes} bytes`));
        return;
      }
      if (newline === -1) break;
      this.#lineBytes = 0;
      this.#newlines += 1;
      start = newline + 1;
    }
    callback(null, chunk);
  }
}

class LimitExceeded extends Error {}

/** Where the import stood after its last commit: what a 413 can report as done. */
interface Progress {
  throughLine: number;
  received: number;
  accepted: number;
  rejected: number;
}

/** `path: message; …` of a refused line; the whole line is `(line)`. */
function describeLineIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(line)'}: ${issue.message}`)
    .join('; ');
}

/**
 * A data exception (SQLSTATE class 22) or integrity violation (23): the database refused what a
 * record holds, not the batch as such, so the batch is retried one record at a time to find it.
 */
function isDataError(err: unknown): boolean {
  const code = err !== null && typeof err === 'object' && 'code' in err ? err.code : undefined;
  return typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code);
}

/**
 * Imports an NDJSON body line by line without holding it in memory: each non-blank line is parsed
 * and validated, valid lines are committed in batches of `batchSize` (one transaction each), and a
 * bad line is reported with its number and reason without holding back any good one. Blank lines
 * are skipped but counted in the line numbers. Lines that repeat an id are all recorded, in order,
 * each with its own version and change (`idOf`).
 *
 * Past `maxBytes` (or `maxLineBytes` in one line) it stops reading and throws a 413 whose message
 * says up to which line everything was handled, so the client can send the rest.
 *
 * @throws HttpError 400 when the body has no lines, 413 past a limit; a failing commit rethrows
 */
export async function importNdjson<T>(body: Readable, options: NdjsonImportOptions<T>): Promise<BulkImportResult> {
  const limit = new BodyLimit(options.maxBytes, options.maxLineBytes);
  let streamError: Error | undefined;
  const lines = createInterface({ input: limit, crlfDelay: Number.POSITIVE_INFINITY });
  limit.on('error', (err) => {
    streamError ??= err;
    // Leave the rest of the body unread: the answer goes out with `Connection: close`, and Node
    // discards what is left. (Destroying the request would destroy the socket, and the answer.)
    body.unpipe(limit);
    lines.close();
  });
  body.on('error', (err) => limit.destroy(err));
  body.on('close', () => {
    if (!body.readableEnded) {
      limit.destroy(new HttpError(400, 'BODY_ABORTED', 'the client closed the request before the body ended'));
    }
  });
  body.pipe(limit);

  const result: BulkImportResult = { received: 0, accepted: 0, rejected: 0, errors: [] };
  const reject = (line: number, reason: string) => {
    result.rejected += 1;
    if (result.errors.length < MAX_REPORTED_LINE_ERRORS) result.errors.push({ line, reason });
  };
  let done: Progress = { throughLine: 0, received: 0, accepted: 0, rejected: 0 };
  let batch: Array<{ line: number; record: T }> = [];
  let batchIds = new Set<string>();
  let lineNumber = 0;

  const commit = async (throughLine: number) => {
    if (batch.length > 0) {
      const pending = batch;
      batch = [];
      batchIds = new Set();
      try {
        await options.saveBatch(pending.map((entry) => entry.record));
        result.accepted += pending.length;
      } catch (err) {
        if (!isDataError(err)) throw err;
        options.logger.warn(
          { err, lines: pending.length },
          'a batch was refused by Postgres; saving its lines one by one',
        );
        for (const entry of pending) {
          try {
            await options.saveBatch([entry.record]);
            result.accepted += 1;
          } catch (lineErr) {
            if (!isDataError(lineErr)) throw lineErr;
            reject(entry.line, `refused by the database: ${(lineErr as Error).message}`);
          }
        }
      }
    }
    done = { throughLine, received: result.received, accepted: result.accepted, rejected: result.rejected };
  };

  try {
    for await (const raw of lines) {
      lineNumber += 1;
      const text = (lineNumber === 1 ? raw.replace(/^\uFEFF/, '') : raw).trim();
      if (text === '') continue;
      result.received += 1;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (err) {
        reject(lineNumber, `not valid JSON (${(err as Error).message}): send one JSON object per line`);
        continue;
      }
      const parsed = options.schema.safeParse(value);
      if (!parsed.success) {
        reject(lineNumber, describeLineIssues(parsed.error.issues));
        continue;
      }
      const id = options.idOf(parsed.data);
      if (batchIds.has(id)) await commit(lineNumber - 1);
      batch.push({ line: lineNumber, record: parsed.data });
      batchIds.add(id);
      if (batch.length >= options.batchSize) await commit(lineNumber);
    }
  } catch (err) {
    // readline rethrows its input's error here on some Node versions; the limit is judged below.
    streamError ??= err as Error;
  }
  if (streamError instanceof LimitExceeded) {
    throw new HttpError(
      413,
      'BODY_TOO_LARGE',
      `${streamError.message}: the import stopped there. Lines 1-${done.throughLine} were handled ` +
        `(${done.accepted} committed, ${done.rejected} refused); send the rest from line ${done.throughLine + 1} in another request`,
      {
        details: { received: done.received, accepted: done.accepted, rejected: done.rejected },
        headers: { connection: 'close' },
      },
    );
  }
  // The batches before a client's abort stay committed; nobody is left to read an answer.
  if (streamError) throw streamError;
  await commit(lineNumber);
  if (result.received === 0) {
    throw new HttpError(
      400,
      'BODY_EMPTY',
      'the body has no lines: send one JSON object per line (application/x-ndjson)',
    );
  }
  return result;
}
