import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  connectionFailureInputSchema,
  gmcDoctorInputSchema,
  recommendationInputSchema,
  traineeInputSchema,
} from '@changeflow/reval';
import type { z } from 'zod';

/**
 * A test double of the repository-service's import contract (the real service is another workspace with
 * its own tests): bearer WRITE token (401 without, 403 for the READ token), `application/x-ndjson` bulk
 * bodies answered with `{ received, accepted, rejected, errors: [{ line, reason }] }` after checking each
 * line against the write API's zod schema, and `PUT /api/connection-failures/:gmcReferenceNumber`.
 */
export interface ServiceDouble {
  url: string;
  /** Lines received per bulk path, in order, parsed. */
  lines: Map<string, unknown[]>;
  /** Bulk requests per path. */
  requests: Map<string, BulkRequestSeen[]>;
  /** Connection failures received by PUT. */
  connectionFailures: unknown[];
  close(): Promise<void>;
}

interface BulkRequestSeen {
  contentType: string | undefined;
  transferEncoding: string | undefined;
  lines: number;
}

export interface ServiceDoubleOptions {
  writeToken: string;
  readToken: string;
  /** Reject a bulk line (1-based within its request) or a PUT: return a reason. */
  rejectRecord?: (path: string, record: unknown) => string | null;
}

const SCHEMAS: Record<string, z.ZodType> = {
  '/api/tcs/trainees': traineeInputSchema,
  '/api/gmc/doctors': gmcDoctorInputSchema,
  '/api/recommendations': recommendationInputSchema,
};

export async function startServiceDouble(options: ServiceDoubleOptions): Promise<ServiceDouble> {
  const lines = new Map<string, unknown[]>();
  const requests = new Map<string, BulkRequestSeen[]>();
  const connectionFailures: unknown[] = [];

  const server = http.createServer((req, res) => {
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const url = new URL(req.url ?? '/', 'http://double');
    const auth = req.headers.authorization;
    if (auth === `Bearer ${options.readToken}`) {
      answer(403, { message: 'the READ token may not write' });
      return;
    }
    if (auth !== `Bearer ${options.writeToken}`) {
      answer(401, { message: 'missing or wrong bearer token' });
      return;
    }
    void readBody(req).then((text) => {
      const schema = SCHEMAS[url.pathname];
      if (req.method === 'POST' && schema !== undefined) {
        if (req.headers['content-type'] !== 'application/x-ndjson') {
          answer(415, { message: 'expected application/x-ndjson' });
          return;
        }
        const bodyLines = text.split('\n').filter((line) => line.length > 0);
        const seen = requests.get(url.pathname) ?? [];
        seen.push({
          contentType: req.headers['content-type'],
          transferEncoding: req.headers['transfer-encoding'],
          lines: bodyLines.length,
        });
        requests.set(url.pathname, seen);
        const errors: { line: number; reason: string }[] = [];
        bodyLines.forEach((line, i) => {
          const parsed = schema.safeParse(JSON.parse(line));
          const reason = parsed.success
            ? (options.rejectRecord?.(url.pathname, parsed.data) ?? null)
            : parsed.error.message;
          if (reason === null) {
            const accepted = lines.get(url.pathname) ?? [];
            accepted.push(parsed.data);
            lines.set(url.pathname, accepted);
          } else {
            errors.push({ line: i + 1, reason });
          }
        });
        answer(200, {
          received: bodyLines.length,
          accepted: bodyLines.length - errors.length,
          rejected: errors.length,
          errors,
        });
        return;
      }
      const failurePath = /^\/api\/connection-failures\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'PUT' && failurePath !== null) {
        const parsed = connectionFailureInputSchema.safeParse(JSON.parse(text));
        if (!parsed.success || parsed.data.gmcReferenceNumber !== decodeURIComponent(failurePath[1] ?? '')) {
          answer(400, { message: 'body does not match the path' });
          return;
        }
        const reason = options.rejectRecord?.(url.pathname, parsed.data) ?? null;
        if (reason !== null) {
          answer(422, { message: reason });
          return;
        }
        connectionFailures.push(parsed.data);
        res.writeHead(204);
        res.end();
        return;
      }
      answer(404, { message: `no route ${req.method} ${url.pathname}` });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    lines,
    requests,
    connectionFailures,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
