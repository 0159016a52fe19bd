import type { ChangeRecorder, Outbox, RecordedChange } from '@changeflow/outbox';
import { deleteRecord, type RevalDatabase, type WriteContext } from '@changeflow/reval';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { HttpError, issuePath, RequestValidationError } from './http-errors.js';
import type { RevalResource } from './resources.js';
import { errorResponses, type WriteResult, writeResultSchema } from './schemas.js';

/** What the write routes need. */
export interface WriteRouteDependencies {
  outbox: Outbox<RevalDatabase>;
}

/** A W3C `traceparent`: version, trace id, parent id, flags. Anything else is ignored, as W3C asks. */
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The optional headers of every write: who writes, and the trace it belongs to. */
export const writeHeadersSchema = z.looseObject({
  'x-user-id': z
    .string()
    .min(1)
    .max(256)
    .optional()
    .describe('Who makes the write, recorded on each change for audit (the caller vouches for it)'),
  traceparent: z
    .string()
    .optional()
    .describe('W3C trace context of the request, carried on each change to the workers; ignored when malformed'),
});

/** The `userId` and `traceparent` a request's changes carry. */
export function writerOf(request: FastifyRequest): Pick<WriteContext, 'userId' | 'traceparent'> {
  const userId = request.headers['x-user-id'];
  const traceparent = request.headers.traceparent;
  return {
    userId: typeof userId === 'string' ? userId : null,
    traceparent: typeof traceparent === 'string' && TRACEPARENT.test(traceparent) ? traceparent : null,
  };
}

/** The answer of a write, from the change that recorded it. */
function toWriteResult(change: RecordedChange | undefined): WriteResult {
  // Each reval write records one change per record; none would mean the write did nothing.
  if (change === undefined) throw new Error('the write recorded no change');
  return {
    objectType: change.objectType,
    objectId: change.objectId,
    version: change.objectVersion,
    changeNumber: change.changeNumber,
    changeType: change.changeType,
  };
}

/**
 * `PUT <path>/:id` creates or replaces one object and `DELETE <path>/:id` deletes it: a DELETE, and
 * a PUT whose save is one statement, through `outbox.oneStatement`, other PUTs in one
 * `outbox.transaction`. Either way the write and its change commit together (G1), and the change is
 * published after the commit (G2). The body's id may be left out (the path gives it); when present it must
 * equal the path's, or the answer is 400.
 */
export function registerWriteRoutes<T extends object, K extends keyof T & string>(
  app: FastifyInstance,
  resource: RevalResource<T, K>,
  deps: WriteRouteDependencies,
): void {
  const { idField, noun, objectType } = resource;
  const url = `${resource.path}/:${idField}`;
  const params = z.object({ [idField]: resource.idSchema });

  app.route({
    method: 'PUT',
    url,
    config: { scope: 'write' },
    schema: {
      summary: `Create or replace a ${noun}`,
      description: `Saves the ${noun} and records its change in the same transaction. The body's \`${idField}\` may be left out; when given it must equal the path's.`,
      tags: ['Writes'],
      security: [{ bearerAuth: [] }],
      params,
      headers: writeHeadersSchema,
      body: resource.bodySchema,
      response: {
        200: writeResultSchema.describe(`The ${noun} was replaced`),
        201: writeResultSchema.describe(`The ${noun} was created`),
        ...errorResponses(400, 401, 403, 413, 414, 415, 500, 503),
      },
    },
    async handler(request, reply) {
      const id = (request.params as Record<string, T[K]>)[idField];
      const body = request.body as Partial<T>;
      const given = body[idField];
      if (given !== undefined && given !== id) {
        throw new RequestValidationError('body', [
          {
            path: issuePath('body', [idField]),
            message: `must equal the path's ${idField} (${JSON.stringify(id)}), or be left out`,
          },
        ]);
      }
      const record = { ...body, [idField]: id } as T;
      const save = (trx: Kysely<RevalDatabase>, changes: ChangeRecorder) =>
        resource.save({ trx, changes, ...writerOf(request) }, [record]);
      // One statement commits on its own (G1): BEGIN and COMMIT would cost two more round trips.
      const [change] = await (resource.isOneStatement ? deps.outbox.oneStatement(save) : deps.outbox.transaction(save));
      const result = toWriteResult(change);
      return reply.code(result.changeType === 'CREATE' ? 201 : 200).send(result);
    },
  });

  app.route({
    method: 'DELETE',
    url,
    config: { scope: 'write' },
    schema: {
      summary: `Delete a ${noun}`,
      description: `Marks the ${noun} deleted and records a DELETE change in the same transaction; its documents leave the indexes once the workers have projected it.`,
      tags: ['Writes'],
      security: [{ bearerAuth: [] }],
      params,
      headers: writeHeadersSchema,
      response: {
        200: writeResultSchema.describe(`The ${noun} was deleted`),
        ...errorResponses(400, 401, 403, 404, 414, 500, 503),
      },
    },
    async handler(request, reply) {
      const id = (request.params as Record<string, T[K]>)[idField];
      // A delete is one statement (the update with its change) for every resource.
      const change = await deps.outbox.oneStatement((trx, changes) =>
        deleteRecord({ trx, changes, ...writerOf(request) }, objectType, String(id)),
      );
      if (change === undefined) {
        throw new HttpError(
          404,
          'OBJECT_NOT_FOUND',
          `there is no ${noun} ${JSON.stringify(String(id))} to delete (never written, or already deleted)`,
        );
      }
      return reply.send(toWriteResult(change));
    },
  });
}
