import { ChangeflowError, type ChangeflowErrorCode, toError } from '@changeflow/errors';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { isPostgresUnavailable, POSTGRES_RETRY_AFTER_SECONDS } from './retry-after.js';
import type { ErrorResponse, FieldIssue } from './schemas.js';

/** The reason phrase of each status this service answers with, as the `error` field spells it. */
const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  411: 'Length Required',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** `Bad Request` for 400, and so on; a status without a phrase of its own gets its class's. */
function reasonPhrase(statusCode: number): string {
  return REASONS[statusCode] ?? (statusCode >= 500 ? 'Internal Server Error' : 'Bad Request');
}

/**
 * An expected failure of a request: it carries its status, and its message is safe to show the
 * client (it says what was wrong and what to do). Anything else thrown by a handler answers 500.
 */
export class HttpError extends ChangeflowError {
  readonly statusCode: number;
  /** Extra fields of the answer (e.g. the counts of an import stopped at the size limit). */
  readonly details: Readonly<Record<string, unknown>>;
  /** Response headers, e.g. `WWW-Authenticate` of a 401. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    statusCode: number,
    code: ChangeflowErrorCode,
    message: string,
    options: { details?: Record<string, unknown>; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(code, message, { cause: options.cause });
    this.statusCode = statusCode;
    this.details = options.details ?? {};
    this.headers = options.headers ?? {};
  }
}

/** Which part of the request an issue is about; it prefixes every issue's path. */
export type RequestPart = 'body' | 'querystring' | 'params' | 'headers';

/** A 400 naming every bad field of one part of the request. */
export class RequestValidationError extends HttpError {
  readonly issues: readonly FieldIssue[];

  constructor(part: RequestPart, issues: readonly FieldIssue[]) {
    const listed = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
    super(400, 'REQUEST_INVALID', `invalid ${part === 'querystring' ? 'query' : part}: ${listed}`);
    this.issues = issues;
  }
}

/** `body.programmeMemberships.0.startDate`: the part, then the path inside it. */
export function issuePath(part: RequestPart, path: readonly PropertyKey[]): string {
  return [part === 'querystring' ? 'query' : part, ...path.map(String)].join('.');
}

/** `/a/0/b` (a JSON pointer, as fastify's validation errors give paths) as `['a', '0', 'b']`. */
function pointerToPath(pointer: string): string[] {
  return pointer
    .split('/')
    .slice(1)
    .filter((segment) => segment !== '')
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function isRequestPart(value: unknown): value is RequestPart {
  return value === 'body' || value === 'querystring' || value === 'params' || value === 'headers';
}

/** What the client is told for fastify's own 4xx errors, by code: the reason and the next step. */
function fastifyClientMessage(code: string | undefined, message: string, request: FastifyRequest): string {
  const accepts = request.routeOptions.config.accepts ?? 'application/json';
  switch (code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return `unsupported content type ${JSON.stringify(request.headers['content-type'] ?? '')}: send ${accepts}`;
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'the body is empty: send the object as JSON';
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return `the body is not valid JSON (${message}): send one JSON object`;
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return `the body is larger than ${request.routeOptions.bodyLimit} bytes: send one object per request, or import many with the NDJSON routes`;
    default:
      return message;
  }
}

/**
 * The error handler of the whole app: every failure answers `{ error, message, … }`. Validation
 * failures answer 400 with `issues` naming each field; expected failures ({@link HttpError}) their own
 * status; fastify's client errors their status with a message that says what to send; Postgres
 * unreachable or refusing work for now 503 with `Retry-After`; anything else 500 without internals, logged with the request id (which the answer carries too).
 */
export function handleError(thrown: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (hasZodFastifySchemaValidationErrors(thrown)) {
    const part = isRequestPart(thrown.validationContext) ? thrown.validationContext : 'body';
    const issues = thrown.validation.map((issue) => ({
      path: issuePath(part, pointerToPath(issue.instancePath)),
      message: issue.message ?? 'is invalid',
    }));
    return sendError(reply, new RequestValidationError(part, issues));
  }
  if (thrown instanceof HttpError) return sendError(reply, thrown);
  const err = toError(thrown) as FastifyError;
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    request.log.debug({ err }, 'request refused');
    // A body JSON.parse refused is a SyntaxError that fastify marks 400.
    const code = err instanceof SyntaxError ? 'FST_ERR_CTP_INVALID_JSON_BODY' : err.code;
    const message = fastifyClientMessage(code, err.message, request);
    // fastify's own codes (`FST_ERR_…`) pass through to the client as they are.
    return sendError(reply, new HttpError(err.statusCode, (code ?? 'REQUEST_REFUSED') as ChangeflowErrorCode, message));
  }
  if (isPostgresUnavailable(err)) {
    request.log.warn({ err }, 'Postgres is unavailable; answered 503');
    return sendError(
      reply,
      new HttpError(
        503,
        'POSTGRES_UNAVAILABLE',
        `the database is unavailable for now: retry after ${POSTGRES_RETRY_AFTER_SECONDS} seconds`,
        { headers: { 'retry-after': String(POSTGRES_RETRY_AFTER_SECONDS) } },
      ),
    );
  }
  request.log.error({ err }, 'request failed unexpectedly');
  return sendError(
    reply,
    new HttpError(
      500,
      'INTERNAL',
      `the request failed unexpectedly; it was logged with request id ${request.id}: quote it when reporting this`,
      { details: { requestId: request.id } },
    ),
  );
}

function sendError(reply: FastifyReply, err: HttpError): FastifyReply {
  const body: ErrorResponse = {
    error: reasonPhrase(err.statusCode),
    message: err.message,
    ...(err instanceof RequestValidationError ? { issues: [...err.issues] } : {}),
    ...err.details,
  };
  return reply.code(err.statusCode).headers(err.headers).send(body);
}

/**
 * fastify's `frameworkErrors`: the errors it raises before a route is found, answered in the one
 * error shape. Neither message echoes the URL (fastify's own put the whole of it in the answer).
 */
export function handleFrameworkError(err: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  request.log.debug({ code: err.code }, 'request refused before routing');
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    return sendError(
      reply,
      new HttpError(
        414,
        'URI_TOO_LONG',
        `a path parameter is longer than ${MAX_PARAM_LENGTH} characters: no id is that long; check the URL`,
      ),
    );
  }
  if (err.code === 'FST_ERR_BAD_URL') {
    return sendError(reply, new HttpError(400, 'URL_INVALID', 'the path is not valid percent-encoded UTF-8'));
  }
  return handleError(err, request, reply);
}

/** Characters of one path parameter at most (fastify's `maxParamLength`); longer answers 414. */
export const MAX_PARAM_LENGTH = 100;

/** The answer for a route that does not exist, in the same shape as every other error. */
export function handleNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendError(
    reply,
    new HttpError(
      404,
      'ROUTE_NOT_FOUND',
      `no route ${request.method} ${request.url.split('?')[0]}: GET /docs/json lists every route`,
    ),
  );
}
