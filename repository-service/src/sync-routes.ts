import type { Outbox } from '@changeflow/outbox';
import { getSyncJob, type RevalDatabase, type SyncJob, startSync } from '@changeflow/reval';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { HttpError } from './http-errors.js';
import { errorResponses } from './schemas.js';
import { writerOf } from './write-routes.js';

/** What the sync routes need. */
export interface SyncRouteDependencies {
  db: Kysely<RevalDatabase>;
  outbox: Outbox<RevalDatabase>;
}

/** A sync job as the API answers it. */
const syncJobSchema = z.object({
  id: z.string().describe('The job id'),
  state: z.enum(['pending', 'running', 'succeeded', 'failed']),
  step: z.string().describe('The step running or next: build-master, build-indexes, swap, catch-up, or done'),
  counts: z
    .record(z.string(), z.number())
    .describe('Documents, GMC numbers done/total, rows per index, caught-up GMC numbers'),
  stepTimingsMs: z.record(z.string(), z.number()).describe('Milliseconds each finished step took'),
  error: z.string().nullable(),
  attempts: z.number().int().describe('Step runs so far (a step run again after a crash counts twice)'),
  requestedBy: z.string().nullable(),
  requestedAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});

function toAnswer(job: SyncJob): z.output<typeof syncJobSchema> {
  const iso = (date: Date | null) => (date === null ? null : new Date(date).toISOString());
  return {
    id: job.id,
    state: job.state,
    step: job.step,
    counts: job.counts,
    stepTimingsMs: job.stepTimingsMs,
    error: job.error,
    attempts: job.attempts,
    requestedBy: job.requestedBy,
    requestedAt: new Date(job.requestedAt).toISOString(),
    startedAt: iso(job.startedAt),
    finishedAt: iso(job.finishedAt),
  };
}

/**
 * `POST /api/sync` starts a full rebuild of every reval index (REVAL.md "The full sync", G7) and
 * answers 202 with the job; while one runs, 409 with the running job's id. `GET /api/sync/:id`
 * shows its state, step, counts and timings. The steps run in the workers deployment.
 */
export function registerSyncRoutes(app: FastifyInstance, deps: SyncRouteDependencies): void {
  app.route({
    method: 'POST',
    url: '/api/sync',
    config: { scope: 'write' },
    schema: {
      summary: 'Start a full sync of the reval indexes',
      description:
        'Builds every index anew beside the live ones and swaps them in atomically; readers never see an empty or half-built index, and writes made meanwhile are kept. Poll `GET /api/sync/{id}`.',
      tags: ['Sync'],
      security: [{ bearerAuth: [] }],
      response: { 202: syncJobSchema, 409: syncConflictSchema, ...errorResponses(401, 403, 500, 503) },
    },
    handler: async (request, reply) => {
      const outcome = await startSync(deps.outbox, deps.db, writerOf(request).userId ?? null);
      if ('running' in outcome) {
        return reply.status(409).send({
          error: 'Conflict',
          message: `sync ${outcome.running.id} is ${outcome.running.state}; follow it at /api/sync/${outcome.running.id}`,
          runningId: outcome.running.id,
        });
      }
      return reply.status(202).header('location', `/api/sync/${outcome.started.id}`).send(toAnswer(outcome.started));
    },
  });

  app.route({
    method: 'GET',
    url: '/api/sync/:id',
    config: { scope: 'read' },
    schema: {
      summary: 'The state and progress of a sync',
      tags: ['Sync'],
      security: [{ bearerAuth: [] }],
      params: z.object({ id: z.string().regex(/^\d{1,18}$/, 'must be a sync id (digits)') }),
      response: { 200: syncJobSchema, ...errorResponses(400, 401, 404, 500, 503) },
    },
    handler: async (request) => {
      const { id } = request.params as { id: string };
      const job = await getSyncJob(deps.db, id);
      if (!job) throw new HttpError(404, 'SYNC_NOT_FOUND', `no sync ${id}; POST /api/sync starts one`);
      return toAnswer(job);
    },
  });
}

const syncConflictSchema = z.object({
  error: z.string(),
  message: z.string(),
  runningId: z.string().describe('The sync already pending or running'),
});
