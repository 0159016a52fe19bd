import { Readable } from 'node:stream';
import type { Outbox } from '@changeflow/outbox';
import type { RevalDatabase } from '@changeflow/reval';
import type { FastifyInstance, FastifySchemaCompiler } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { HttpError } from './http-errors.js';
import { importNdjson } from './ndjson-import.js';
import type { RevalResource } from './resources.js';
import { bulkImportResultSchema, errorResponses } from './schemas.js';
import { writeHeadersSchema, writerOf } from './write-routes.js';

/** The content type of an import body: one JSON object per line. */
export const NDJSON = 'application/x-ndjson';

/** Bytes of one line of an import at most: the same bound as the JSON body of a single write. */
export const MAX_RECORD_BYTES = 1024 * 1024;

/** What the import routes need. */
export interface ImportRouteDependencies {
  outbox: Outbox<RevalDatabase>;
  /** Valid lines per transaction. */
  batchSize: number;
  /** Bytes of one import body at most. */
  maxBytes: number;
  logger: Logger;
}

/**
 * The body of an import is a stream the handler reads line by line, so fastify must not validate
 * it; its schema (one line's) is there for the OpenAPI document. Headers are still validated.
 */
const skipBodyValidation: FastifySchemaCompiler<unknown> = (route) => {
  if (route.httpPart === 'body') return (value: unknown) => ({ value });
  return validatorCompiler(route as Parameters<typeof validatorCompiler>[0]);
};

/**
 * Makes `app` (an encapsulated context of its own) take NDJSON and nothing else: the parser hands
 * the handler the raw request stream, and any other content type answers 415. Fastify's
 * `bodyLimit` does not apply to a stream; the import enforces `maxBytes` itself.
 */
export function acceptOnlyNdjson(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(NDJSON, (_request, payload, done) => done(null, payload));
}

/**
 * `POST <path>` imports NDJSON: each line one record, streamed, validated, and committed in batches
 * of `batchSize` (one `outbox.transaction` each, every record with its change).
 */
export function registerImportRoute<T extends object, K extends keyof T & string>(
  app: FastifyInstance,
  resource: RevalResource<T, K>,
  deps: ImportRouteDependencies,
): void {
  const { noun } = resource;
  app.route({
    method: 'POST',
    url: resource.path,
    config: { scope: 'write', accepts: `${NDJSON} (one JSON object per line)` },
    validatorCompiler: skipBodyValidation,
    schema: {
      summary: `Import ${noun}s as NDJSON`,
      description:
        `The body is ${NDJSON}: one ${noun} per line, shaped as shown. It is streamed, each line validated, and ` +
        `valid lines are committed in batches of BULK_BATCH_SIZE, each record with its change. A bad line ` +
        `is reported with its number and reason and never holds back the good ones. Lines that repeat an id are ` +
        `all recorded, in the order given, each with a version and a change of its own (\`accepted\` counts ` +
        `only lines that left a change). Past BULK_MAX_BYTES the ` +
        `import stops with 413, saying up to which line everything was handled.`,
      tags: ['Imports'],
      security: [{ bearerAuth: [] }],
      consumes: [NDJSON],
      headers: writeHeadersSchema,
      body: resource.recordSchema,
      response: {
        200: bulkImportResultSchema,
        ...errorResponses(400, 401, 403, 413, 414, 415, 500, 503),
      },
    },
    async handler(request, reply) {
      const declared = Number(request.headers['content-length']);
      if (declared > deps.maxBytes) {
        throw new HttpError(
          413,
          'BODY_TOO_LARGE',
          `the body is ${declared} bytes, more than the ${deps.maxBytes} allowed (BULK_MAX_BYTES): nothing was imported; split it and send the parts in turn`,
          { headers: { connection: 'close' } },
        );
      }
      if (!(request.body instanceof Readable)) {
        throw new HttpError(400, 'BODY_EMPTY', `the body is empty: send one JSON object per line as ${NDJSON}`);
      }
      const writer = writerOf(request);
      const started = performance.now();
      const result = await importNdjson(request.body, {
        schema: resource.recordSchema,
        idOf: (record) => String(record[resource.idField]),
        saveBatch: async (records) => {
          await deps.outbox.transaction((trx, changes) => resource.save({ trx, changes, ...writer }, records));
        },
        batchSize: deps.batchSize,
        maxBytes: deps.maxBytes,
        maxLineBytes: MAX_RECORD_BYTES,
        logger: request.log as Logger,
      });
      request.log.info(
        {
          objectType: resource.objectType,
          received: result.received,
          accepted: result.accepted,
          rejected: result.rejected,
          durationMs: Math.round(performance.now() - started),
        },
        'import finished',
      );
      return reply.send(result);
    },
  });
}
