import { z } from 'zod';

/**
 * The shapes of this service's answers, as zod schemas: fastify serializes each answer through its
 * route's schema, and the OpenAPI document (`GET /docs/json`) is generated from the same schemas.
 */

/** What a route needs beyond its schema; read by the auth hook and the error handler. */
declare module 'fastify' {
  interface FastifyContextConfig {
    /** The token a route needs: `read` (the read or the write token) or `write` (the write token). */
    scope?: AccessScope;
    /** The content type the route takes, for the 415 message. @defaultValue 'application/json' */
    accepts?: string;
  }
}

/** `read`: the query routes; `write`: the write and import routes. */
export type AccessScope = 'read' | 'write';

/** One bad field: where (`body.programmeMemberships.0.startDate`, `query.pageNumber`) and why. */
const fieldIssueSchema = z.object({
  path: z
    .string()
    .describe('The request part, then the field inside it: `body.gmcReferenceNumber`, `query.sortColumn`'),
  message: z.string().describe('Why the value was refused'),
});
export type FieldIssue = z.output<typeof fieldIssueSchema>;

/** Every error answer. */
export const errorResponseSchema = z
  .object({
    error: z.string().describe('The HTTP reason phrase, e.g. `Bad Request`'),
    message: z.string().describe('What was wrong and what to do'),
    issues: z.array(fieldIssueSchema).optional().describe('400 only: each refused field'),
    requestId: z.string().optional().describe('500 only: the request id the failure was logged with'),
    received: z.number().int().optional().describe('413 of an import only: lines read before the limit'),
    accepted: z.number().int().optional().describe('413 of an import only: lines committed before the limit'),
    rejected: z.number().int().optional().describe('413 of an import only: lines refused before the limit'),
  })
  .describe('An error');
export type ErrorResponse = z.input<typeof errorResponseSchema>;

/** The answer of a PUT or DELETE: the object's new version and the change that recorded it. */
export const writeResultSchema = z
  .object({
    objectType: z.string().describe('`trainee`, `gmc-doctor`, `recommendation` or `connection-failure`'),
    objectId: z.string().describe('The object\u2019s id, as its changes carry it'),
    version: z.number().int().describe('The object\u2019s version after this write (1 when it was created)'),
    changeNumber: z.string().describe('The number of the recorded change (a bigint, as a decimal string)'),
    changeType: z.enum(['CREATE', 'UPDATE', 'DELETE']),
  })
  .describe('The recorded change');
export type WriteResult = z.output<typeof writeResultSchema>;

/** One refused line of an NDJSON import. */
const lineErrorSchema = z.object({
  line: z.number().int().describe('1-based line number in the body'),
  reason: z.string().describe('Why the line was refused: each bad field, or why it is not JSON'),
});

/** The answer of an NDJSON import. */
export const bulkImportResultSchema = z
  .object({
    received: z.number().int().describe('Non-blank lines read'),
    accepted: z.number().int().describe('Lines committed, each with its change'),
    rejected: z.number().int().describe('Lines refused'),
    errors: z.array(lineErrorSchema).describe('The refused lines, in order (the first 1000 of them)'),
  })
  .describe('What became of each line');
export type BulkImportResult = z.output<typeof bulkImportResultSchema>;

/** The answer of `GET /health`. */
export const healthSchema = z.object({
  status: z.enum(['ok', 'unavailable']),
  message: z.string().optional().describe('When unavailable: what failed'),
});

/** The error answers a route can give, for its `response` schema. */
export function errorResponses<const S extends readonly number[]>(
  ...statuses: S
): Record<S[number], typeof errorResponseSchema> {
  return Object.fromEntries(statuses.map((status) => [status, errorResponseSchema])) as Record<
    S[number],
    typeof errorResponseSchema
  >;
}

/** A master document as the query routes answer it (REVAL.md "The master index"). */
const masterDocumentSchema = z.object({
  gmcReferenceNumber: z.string(),
  tcsPersonId: z.number().int().nullable(),
  conflictingTcsPersonIds: z.array(z.number().int()).describe('Other TCS people claiming the same GMC number'),
  doctorFirstName: z.string().nullable(),
  doctorLastName: z.string().nullable(),
  submissionDate: z.string().nullable().describe('YYYY-MM-DD'),
  programmeName: z.string().nullable(),
  membershipType: z.string().nullable(),
  membershipStartDate: z.string().nullable().describe('YYYY-MM-DD'),
  membershipEndDate: z.string().nullable().describe('YYYY-MM-DD'),
  curriculumEndDate: z.string().nullable().describe('YYYY-MM-DD'),
  programmeOwner: z.string().nullable(),
  tcsDesignatedBody: z.string().nullable(),
  designatedBody: z.string().nullable().describe('The GMC designated body'),
  placementGrade: z.string().nullable(),
  admin: z.string().nullable(),
  underNotice: z.string().nullable().describe('YES, NO or ON_HOLD'),
  existsInGmc: z.boolean(),
  gmcStatus: z.string().nullable().describe('Approved, Rejected or Under Review'),
  tisStatus: z.string().describe('NOT_STARTED, DRAFT, SUBMITTED_TO_GMC or COMPLETED'),
  connectionStatus: z.string().describe('Yes or No'),
  exceptionReason: z.string().nullable(),
  lastUpdatedDate: z.string().nullable().describe('YYYY-MM-DD'),
});

/** The cursors of a list's page (keyset paging). */
const pageCursorFields = {
  nextCursor: z
    .string()
    .nullable()
    .describe('Pass as `cursor`, with the same query, for the next page; null on the last page'),
  previousCursor: z
    .string()
    .nullable()
    .describe('Pass as `cursor`, with the same query, for the previous page; null on the first page'),
};

/** The answer of `GET /api/v1/doctors`. */
export const recommendationPageSchema = z
  .object({
    totalResults: z.number().int().describe('Doctors matching every filter'),
    totalPages: z.number().int().describe('Pages of 20'),
    countTotal: z.number().int().describe('Doctors in the GMC connected to the selected designated bodies'),
    countUnderNotice: z.number().int().describe('Those of countTotal under notice'),
    records: z.array(masterDocumentSchema).describe('The page: at most 20 doctors'),
    ...pageCursorFields,
  })
  .describe('A page of the recommendation index');

/** The answer of `GET /api/connection/{index}`. */
export const connectionPageSchema = z
  .object({
    totalResults: z.number().int().describe('Documents matching every filter'),
    totalPages: z.number().int().describe('Pages of 20'),
    records: z.array(masterDocumentSchema).describe('The page: at most 20 documents'),
    ...pageCursorFields,
  })
  .describe('A page of a connection index');
