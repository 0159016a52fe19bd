import type { FastifyRequest } from 'fastify';
import { issuePath, type RequestPart, RequestValidationError } from './http-errors.js';

/** The message of a refused NUL character. */
export const NUL_MESSAGE = 'must not contain the NUL character (\\u0000): Postgres text cannot store it';

/** Every path in `value` (its keys included) that holds a string with a NUL character. */
export function pathsWithNul(value: unknown, path: PropertyKey[] = []): PropertyKey[][] {
  if (typeof value === 'string') return value.includes('\u0000') ? [path] : [];
  if (Array.isArray(value)) return value.flatMap((item, index) => pathsWithNul(item, [...path, index]));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => [
      ...(key.includes('\u0000') ? [[...path, key]] : []),
      ...pathsWithNul(item, [...path, key]),
    ]);
  }
  return [];
}

/**
 * A `preValidation` hook that answers 400 naming the field for a NUL character anywhere in the
 * path, the query string or a JSON body, before any schema or query sees it: Postgres refuses NUL in
 * text ("invalid byte sequence for encoding UTF8: 0x00"), which would otherwise answer 500. An
 * import's body is a stream; its lines are checked one by one by their schema.
 */
export async function refuseNul(request: FastifyRequest): Promise<void> {
  const parts: Array<[RequestPart, unknown]> = [
    ['params', request.params],
    ['querystring', request.query],
    ['body', isJsonValue(request.body) ? request.body : undefined],
  ];
  for (const [part, value] of parts) {
    const paths = pathsWithNul(value);
    if (paths.length > 0) {
      throw new RequestValidationError(
        part,
        paths.map((path) => ({ path: issuePath(part, path), message: NUL_MESSAGE })),
      );
    }
  }
}

/** A parsed JSON body, not the raw stream an import reads. */
function isJsonValue(body: unknown): boolean {
  return (
    typeof body === 'string' || Array.isArray(body) || (body !== null && typeof body === 'object' && !('pipe' in body))
  );
}
