import {
  CONNECTION_INDEXES,
  connectionSearchParamsSchema,
  type RevalQueries,
  recommendationSearchParamsSchema,
} from '@changeflow/reval';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { HttpError } from './http-errors.js';
import { connectionPageSchema, errorResponses, recommendationPageSchema } from './schemas.js';

/** What the query routes need. */
export interface QueryRouteDependencies {
  /** The reval queries, bound to the index store (its database and schema) at the composition root. */
  queries: RevalQueries;
}

/**
 * The read routes of REVAL.md "Queries": `GET /api/v1/doctors` and
 * `GET /api/connection/{connected|disconnected|exception|discrepancies}`. The query string is
 * validated by the reval query schemas (400 naming each bad parameter); values reach SQL only as
 * parameters.
 */
export function registerQueryRoutes(app: FastifyInstance, deps: QueryRouteDependencies): void {
  const { queries } = deps;

  app.route({
    method: 'GET',
    url: '/api/v1/doctors',
    config: { scope: 'read' },
    schema: {
      summary: 'Search the recommendation index',
      description:
        'Doctors in the GMC, 20 a page from page 0, sorted by `sortColumn` then last name, with the counts of the selected designated bodies. ' +
        'Query: `sortColumn` (submissionDate, doctorFirstName, doctorLastName, gmcReferenceNumber), `sortOrder` (asc; anything else desc), ' +
        '`pageNumber`, `underNotice=true` (YES only), `dbcs` (designated bodies, comma-separated or repeated), `programmeName` (a phrase), ' +
        '`gmcStatus`, `tisStatus` (lists), `admin`, `searchQuery` (a prefix of the first name, last name or GMC number).',
      tags: ['Queries'],
      security: [{ bearerAuth: [] }],
      querystring: recommendationSearchParamsSchema,
      response: { 200: recommendationPageSchema, ...errorResponses(400, 401, 500, 503) },
    },
    handler: (request) =>
      queries.searchRecommendations(request.query as z.output<typeof recommendationSearchParamsSchema>),
  });

  for (const index of CONNECTION_INDEXES) {
    app.route({
      method: 'GET',
      url: `/api/connection/${index}`,
      config: { scope: 'read' },
      schema: {
        summary: `Search the ${index} index`,
        description:
          `Documents of the ${index} index, 20 a page from page 0, sorted by \`sortColumn\` (any document field; default gmcReferenceNumber) then GMC number. ` +
          'Query: `sortOrder`, `pageNumber`, `dbcs` (GMC designated bodies), `tisDesignatedBodies` (TCS ones; given both, a document needs one), ' +
          '`programmeName` (a phrase), `searchQuery` (a name or GMC number prefix), `membershipEndDateFrom`/`To` and `submissionDateFrom`/`To` (YYYY-MM-DD, inclusive).',
        tags: ['Queries'],
        security: [{ bearerAuth: [] }],
        querystring: connectionSearchParamsSchema,
        response: { 200: connectionPageSchema, ...errorResponses(400, 401, 500, 503) },
      },
      handler: (request) =>
        queries.searchConnections(index, request.query as z.output<typeof connectionSearchParamsSchema>),
    });
  }

  // Static routes win over this one, so it answers only for an index that does not exist.
  app.route({
    method: 'GET',
    url: '/api/connection/:index',
    config: { scope: 'read' },
    schema: { hide: true, params: z.object({ index: z.string() }) },
    handler: (request) => {
      const { index } = request.params as { index: string };
      throw new HttpError(
        404,
        'INDEX_NOT_FOUND',
        `there is no connection index ${JSON.stringify(index)}: use one of ${CONNECTION_INDEXES.join(', ')}`,
      );
    },
  });
}
