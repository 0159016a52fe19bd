import {
  CONNECTION_INDEXES,
  connectionSearchParamsSchema,
  InvalidQueryParamsError,
  type RevalQueries,
  recommendationSearchParamsSchema,
} from '@changeflow/reval';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { HttpError, issuePath, RequestValidationError } from './http-errors.js';
import { connectionPageSchema, errorResponses, recommendationPageSchema } from './schemas.js';

/** How the list routes page, for their descriptions. */
const CURSOR_DESCRIPTION =
  "Paging: `pageNumber` (offset), or `cursor`, an answer's `nextCursor` / `previousCursor` passed back with the same query " +
  '(keyset paging: a deep page costs what the first does, and rows inserted meanwhile shift nothing). ' +
  'A cursor of another list, sort or filters, a changed one, or one beside a `pageNumber` is refused with 400.';

/**
 * Runs a query, answering 400 for the parameters only the query can judge (a cursor of another list,
 * sort or filters), as the schema's own issues are answered.
 */
async function asRequestErrors<T>(query: () => Promise<T>): Promise<T> {
  try {
    return await query();
  } catch (err) {
    if (!(err instanceof InvalidQueryParamsError)) throw err;
    throw new RequestValidationError(
      'querystring',
      err.issues.map((issue) => ({ path: issuePath('querystring', [issue.field]), message: issue.reason })),
    );
  }
}

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
        '`gmcStatus`, `tisStatus` (lists), `admin`, `searchQuery` (a prefix of the first name, last name or GMC number). ' +
        CURSOR_DESCRIPTION,
      tags: ['Queries'],
      security: [{ bearerAuth: [] }],
      querystring: recommendationSearchParamsSchema,
      response: { 200: recommendationPageSchema, ...errorResponses(400, 401, 500, 503) },
    },
    handler: (request) =>
      asRequestErrors(() =>
        queries.searchRecommendations(request.query as z.output<typeof recommendationSearchParamsSchema>),
      ),
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
          '`programmeName` (a phrase), `searchQuery` (a name or GMC number prefix), `membershipEndDateFrom`/`To` and `submissionDateFrom`/`To` (YYYY-MM-DD, inclusive). ' +
          CURSOR_DESCRIPTION,
        tags: ['Queries'],
        security: [{ bearerAuth: [] }],
        querystring: connectionSearchParamsSchema,
        response: { 200: connectionPageSchema, ...errorResponses(400, 401, 500, 503) },
      },
      handler: (request) =>
        asRequestErrors(() =>
          queries.searchConnections(index, request.query as z.output<typeof connectionSearchParamsSchema>),
        ),
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
