import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from './http-errors.js';
import type { AccessScope } from './schemas.js';

/** The two tokens of the service. */
export interface AccessTokens {
  /** Grants the query routes. */
  readToken: string;
  /** Grants every route. */
  writeToken: string;
}

/** `realm` of the `WWW-Authenticate` challenges. */
const REALM = 'changeflow-repository-service';

/**
 * Tokens are compared as SHA-256 digests with `timingSafeEqual`: equal lengths whatever was sent,
 * and no early exit, so the time taken says nothing about how much of a token matched.
 */
function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * What a token grants: `write` for the write token, `read` for the read token, `undefined` for
 * anything else. The API's bearer check and the console's session check both ask it.
 */
export function createTokenScope(tokens: AccessTokens): (token: string) => AccessScope | undefined {
  const readDigest = digest(tokens.readToken);
  const writeDigest = digest(tokens.writeToken);
  return (token) => {
    const given = digest(token);
    // Both comparisons always run, so which token matched does not show in the timing either.
    const isWrite = timingSafeEqual(given, writeDigest);
    const isRead = timingSafeEqual(given, readDigest);
    return isWrite ? 'write' : isRead ? 'read' : undefined;
  };
}

/** The bearer token of an `Authorization` header, or undefined when there is none. */
function bearerToken(header: string | undefined): string | undefined {
  const match = header === undefined ? null : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match?.[1];
}

/**
 * Builds the `onRequest` hook that checks a route's scope (its `config.scope`): no token or an
 * unknown one answers 401 with a `WWW-Authenticate: Bearer` challenge; the read token on a write
 * route answers 403. It runs before the body is read, so a refused import streams nothing.
 */
export function createAuthHook(tokens: AccessTokens) {
  const scopeOf = createTokenScope(tokens);
  return async function authorize(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const scope: AccessScope | undefined = request.routeOptions.config.scope;
    if (scope === undefined) return;
    const token = bearerToken(request.headers.authorization);
    if (token === undefined) {
      throw new HttpError(
        401,
        'TOKEN_MISSING',
        'this route needs a bearer token: send "Authorization: Bearer <token>"',
        {
          headers: { 'www-authenticate': `Bearer realm="${REALM}"` },
        },
      );
    }
    const granted = scopeOf(token);
    if (granted === undefined) {
      throw new HttpError(401, 'TOKEN_INVALID', 'the bearer token is not valid: send READ_TOKEN or WRITE_TOKEN', {
        headers: { 'www-authenticate': `Bearer realm="${REALM}", error="invalid_token"` },
      });
    }
    if (scope === 'write' && granted !== 'write') {
      throw new HttpError(
        403,
        'SCOPE_INSUFFICIENT',
        'this route writes: send the write token (WRITE_TOKEN), not the read token',
        {
          headers: { 'www-authenticate': `Bearer realm="${REALM}", error="insufficient_scope", scope="write"` },
        },
      );
    }
  };
}
