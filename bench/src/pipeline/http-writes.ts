import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { retryAfterMs } from '../support/retry-after.js';
import type { GmcDoctorBody } from './gmc-records.js';

/**
 * The benchmark's HTTP client of the repository-service. It is `node:http` with a keep-alive agent
 * rather than `fetch`: on two cores the client shares the CPU with the service it measures, and
 * `node:http` costs a fraction of `fetch`'s web streams per request. Requests beyond `maxSockets`
 * wait in the agent; their time there counts in their latency, as a client's would.
 */

/** Where the repository-service listens and how the client may use it. */
export interface WriteClientOptions {
  /** `http://127.0.0.1:<port>` of one repository-service instance. */
  readonly baseUrl: string;
  /** The write token (`Authorization: Bearer …`). */
  readonly writeToken: string;
  /** Connections kept open at most; more concurrent requests queue in the agent. */
  readonly maxSockets: number;
}

/** When one write was sent and answered, in this process's `performance.now()` clock. */
export interface WriteTiming {
  /** Just before the request was handed to the agent: before the transaction began. */
  readonly sentAt: number;
  /** When the answer's status line arrived: after the transaction committed. */
  readonly answeredAt: number;
}

/** What a `POST` NDJSON import answered (repository-service `bulkImportResultSchema`). */
interface ImportAnswer extends WriteTiming {
  readonly received: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly errors: ReadonlyArray<{ line: number; message: string }>;
}

/** A write the service refused or failed: the status and the start of its answer. */
class WriteRefusedError extends Error {
  override readonly name = 'WriteRefusedError';
  constructor(
    readonly status: number,
    what: string,
    answer: string,
  ) {
    super(`${what} answered ${status}: ${answer.slice(0, 300)}; see the repository-service log of the run`);
  }
}

export interface WriteClient {
  /** `PUT /api/gmc/doctors/:gmcReferenceNumber` with a prepared JSON body; rejects unless 2xx. */
  putGmcDoctor(gmcReferenceNumber: string, json: string, signal?: AbortSignal): Promise<WriteTiming>;
  /** `POST /api/gmc/doctors` with a prepared NDJSON body; rejects unless 2xx. */
  importGmcDoctors(ndjson: string, signal?: AbortSignal): Promise<ImportAnswer>;
  /** Closes the kept-alive connections. */
  close(): void;
}

/** One line per record, as the import route reads them. */
export function ndjsonOf(records: readonly GmcDoctorBody[]): string {
  return records.map((record) => `${JSON.stringify(record)}\n`).join('');
}

/** Times a write answered 503 with `Retry-After` is sent again before it counts as refused. */
const MAX_RETRY_AFTER_ATTEMPTS = 5;

/** A client of one repository-service instance. */
export function createWriteClient(options: WriteClientOptions): WriteClient {
  const url = new URL(options.baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets });
  const authorization = `Bearer ${options.writeToken}`;

  const sendOnce = (method: string, path: string, contentType: string, body: string, signal?: AbortSignal) =>
    new Promise<{ status: number; text: string; retryAfter?: string; sentAt: number; answeredAt: number }>(
      (resolve, reject) => {
        const sentAt = performance.now();
        const outgoing = request(
          {
            agent,
            host: url.hostname,
            port: url.port,
            method,
            path,
            signal,
            headers: {
              authorization,
              'content-type': contentType,
              'content-length': Buffer.byteLength(body),
            },
          },
          (answer) => {
            const answeredAt = performance.now();
            const chunks: Buffer[] = [];
            answer.on('data', (chunk: Buffer) => chunks.push(chunk));
            answer.on('error', reject);
            answer.on('end', () =>
              resolve({
                status: answer.statusCode ?? 0,
                text: Buffer.concat(chunks).toString('utf8'),
                retryAfter: answer.headers['retry-after'],
                sentAt,
                answeredAt,
              }),
            );
          },
        );
        outgoing.on('error', reject);
        outgoing.end(body);
      },
    );

  /**
   * {@link sendOnce}, sent again after the wait a 503's `Retry-After` asks for (Postgres briefly
   * unavailable), up to {@link MAX_RETRY_AFTER_ATTEMPTS} times. The timing runs from the first send,
   * as the client saw it.
   */
  const send = async (method: string, path: string, contentType: string, body: string, signal?: AbortSignal) => {
    let answer = await sendOnce(method, path, contentType, body, signal);
    const { sentAt } = answer;
    for (let attempt = 1; attempt < MAX_RETRY_AFTER_ATTEMPTS; attempt += 1) {
      const waitMs = answer.status === 503 ? retryAfterMs(answer.retryAfter) : undefined;
      if (waitMs === undefined) break;
      await sleep(waitMs, undefined, { signal });
      answer = await sendOnce(method, path, contentType, body, signal);
    }
    return { ...answer, sentAt };
  };

  return {
    async putGmcDoctor(gmcReferenceNumber, json, signal) {
      const path = `/api/gmc/doctors/${encodeURIComponent(gmcReferenceNumber)}`;
      const answer = await send('PUT', path, 'application/json', json, signal);
      if (answer.status < 200 || answer.status > 299)
        throw new WriteRefusedError(answer.status, `PUT ${path}`, answer.text);
      return { sentAt: answer.sentAt, answeredAt: answer.answeredAt };
    },
    async importGmcDoctors(ndjson, signal) {
      const answer = await send('POST', '/api/gmc/doctors', 'application/x-ndjson', ndjson, signal);
      if (answer.status !== 200) throw new WriteRefusedError(answer.status, 'POST /api/gmc/doctors', answer.text);
      const result = JSON.parse(answer.text) as Omit<ImportAnswer, keyof WriteTiming>;
      return { ...result, sentAt: answer.sentAt, answeredAt: answer.answeredAt };
    },
    close: () => agent.destroy(),
  };
}
