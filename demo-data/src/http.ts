import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { LoadError } from './errors.js';

/** A response, read whole (the import answers are small). */
export interface HttpAnswer {
  status: number;
  body: string;
}

export interface HttpRequest {
  method: 'POST' | 'PUT';
  url: URL;
  headers: Record<string, string>;
  /** A stream is sent with chunked transfer encoding as it is read; a string in one piece. */
  body: Readable | string;
  signal?: AbortSignal | undefined;
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
]);

/**
 * Sends one request and reads the answer. An answer that arrives while the body is still being sent
 * (a 401 before the server reads the body) wins over the broken pipe that follows it.
 *
 * @throws LoadError `unreachable` when no answer came (connection refused, unknown host, reset)
 */
export function sendRequest(request: HttpRequest): Promise<HttpAnswer> {
  const transport = request.url.protocol === 'https:' ? https : http;
  return new Promise<HttpAnswer>((resolve, reject) => {
    let hasAnswer = false;
    const fail = (err: unknown) => {
      if (hasAnswer) return;
      hasAnswer = true;
      // Aborted: say so, whatever broke first (on Node 24 an aborted request's pipe fails before
      // the request reports the abort).
      reject(request.signal?.aborted ? abortError(request.signal) : toLoadError(err, request.url));
    };
    const req = transport.request(request.url, {
      method: request.method,
      headers: request.headers,
      signal: request.signal,
    });
    req.on('error', fail);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', fail);
      res.on('end', () => {
        if (hasAnswer) return;
        hasAnswer = true;
        if (typeof request.body !== 'string') request.body.destroy();
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    if (typeof request.body === 'string') {
      req.end(request.body);
    } else {
      // Errors of the body or the socket reach `req`'s 'error' too; an answer already read stands.
      pipeline(request.body, req).catch(fail);
    }
  });
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error && reason.name === 'AbortError'
    ? reason
    : new DOMException('The operation was aborted', 'AbortError');
}

function toLoadError(err: unknown, url: URL): Error {
  if (err instanceof LoadError) return err;
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
  if (err instanceof Error && err.name === 'AbortError') return err;
  if (UNREACHABLE_CODES.has(code)) {
    return new LoadError(
      'unreachable',
      url.href,
      `cannot reach the repository-service at ${url.origin} (${code}): start it with \`npm run repository-service\` ` +
        '(or `docker compose up -d repository-service`), or point --url / REPOSITORY_URL at it',
      { cause: err },
    );
  }
  return new LoadError('bad-answer', url.href, `request to ${url.href} failed: ${String(err)}`, { cause: err });
}

/** The LoadError for an answer that is neither a success nor an expected rejection. */
export function answerError(answer: HttpAnswer, url: URL): LoadError {
  if (answer.status === 401) {
    return new LoadError(
      'unauthorized',
      url.href,
      `the repository-service at ${url.origin} refused the token (401): pass its WRITE token with --token or set WRITE_TOKEN ` +
        '(the value the service was started with)',
    );
  }
  if (answer.status === 403) {
    return new LoadError(
      'forbidden',
      url.href,
      `the repository-service at ${url.origin} does not let this token write (403): it is probably the READ token; ` +
        'pass the WRITE token with --token or set WRITE_TOKEN',
    );
  }
  return new LoadError(
    'bad-answer',
    url.href,
    `${url.pathname} answered ${answer.status}: ${answer.body.slice(0, 500) || '(no body)'}`,
  );
}
