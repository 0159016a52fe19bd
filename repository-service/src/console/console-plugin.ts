import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { SqsAccess, WorkerDeclaration } from '@changeflow/consumer';
import type { Outbox } from '@changeflow/outbox';
import type { RevalDatabase, RevalQueries } from '@changeflow/reval';
import type { Semaphore } from '@changeflow/semaphore';
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifySession from '@fastify/session';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { type AccessTokens, createTokenScope } from '../auth.js';
import { registerChangeLogPages } from './change-log-page.js';
import { registerDeadLetterPages } from './dead-letters-page.js';
import { registerDoctorPages } from './doctors-page.js';
import { html } from './html.js';
import { csrfField, layout, notice, type PageContext, sendPage } from './layout.js';
import { registerPipelinePages } from './pipeline-page.js';
import { registerSyncPages } from './sync-page.js';

declare module 'fastify' {
  interface Session {
    /** The token the console was signed in with; kept server-side, the cookie holds only the session id. */
    token?: string;
  }
}

/** What the console reads and acts on. Collaborators are the caller's; the console closes none. */
export interface ConsoleDependencies {
  tokens: AccessTokens;
  db: Kysely<RevalDatabase>;
  /** For error messages: where `db` points. */
  databaseUrl: string;
  /** The reval queries, bound to the index store (`createRevalQueries`). */
  queries: RevalQueries;
  outbox: Outbox<RevalDatabase>;
  semaphore: Semaphore;
  /** SQS, for the pipeline's queue depths and the dead letters. */
  sqs: SqsAccess;
  /** The deployment's workers: their queues and DLQs. */
  workers: readonly WorkerDeclaration[];
  /** `CHANGEFLOW_PREFIX`. */
  prefix: string;
  /** A workers process's `/metrics`, for handler times; `undefined` shows none. */
  workersMetricsUrl: string | undefined;
  logger: Logger;
}

/** The console's pages take the dependencies and how to build a page's context. */
export interface ConsolePages {
  deps: ConsoleDependencies;
  /** The signed-in context of a request (the guard has run: there is a valid token). */
  contextOf(request: FastifyRequest, reply: FastifyReply): Promise<PageContext>;
  /** Refuses a request signed in with the read token: 403 with a page saying so. */
  requireWrite(request: FastifyRequest, reply: FastifyReply): Promise<boolean>;
}

/** The OpenAPI tag of every console route. */
export const CONSOLE_TAG = 'Console';

/**
 * htmx, served by the service itself from its installed package (no CDN). Resolved through the
 * package's module resolution, so it is found from the TypeScript sources and from `dist/` alike.
 */
const HTMX_PATH = createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js');

/**
 * The Changeflow console under `/console` (issue 18): server-rendered pages for on-call and for
 * revalidation officers. Sign-in takes the read or the write token through a form and keeps it in a
 * server-side session (an HttpOnly, SameSite=Strict cookie holds only the session id); every form
 * that acts carries a CSRF token, and only the write token may act.
 */
export async function registerConsole(app: FastifyInstance, deps: ConsoleDependencies): Promise<void> {
  const scopeOf = createTokenScope(deps.tokens);
  const htmx = await readFile(HTMX_PATH, 'utf8');
  await app.register(
    async (scope) => {
      await scope.register(fastifyCookie);
      await scope.register(fastifySession, {
        // Derived from the write token: a new write token signs every session out.
        secret: createHash('sha256').update(`changeflow-console:${deps.tokens.writeToken}`).digest('hex'),
        cookieName: 'changeflow_console',
        saveUninitialized: false,
        // Not `secure: 'auto'`: over plain HTTP that downgrades SameSite to Lax. The service itself
        // speaks HTTP; TLS is in front of it where there is any.
        cookie: { path: '/console', httpOnly: true, sameSite: 'strict', secure: false, maxAge: 8 * 3600 * 1000 },
      });
      await scope.register(fastifyFormbody);
      await scope.register(fastifyCsrf, { sessionPlugin: '@fastify/session' });

      const isOpen = (url: string) => url === '/console/login' || url.startsWith('/console/assets/');
      scope.addHook('preHandler', async (request, reply) => {
        const path = request.url.split('?')[0] ?? '';
        if (isOpen(path)) return;
        const token = request.session.get('token');
        if (token !== undefined && scopeOf(token) !== undefined) return;
        if (request.headers['hx-request'] === 'true') {
          return reply.code(401).header('hx-redirect', '/console/login').send();
        }
        if (path.startsWith('/console/api/')) {
          return reply.code(401).send({ error: 'Unauthorized', message: 'sign in at /console/login first' });
        }
        return reply.redirect('/console/login');
      });

      // Every form post, sign-in included, carries the session's CSRF token (`_csrf` or `x-csrf-token`).
      scope.addHook('preHandler', (request, reply, done) => {
        if (request.method !== 'POST') return done();
        scope.csrfProtection(request, reply, done);
      });

      const pages: ConsolePages = {
        deps,
        async contextOf(request, reply) {
          const token = request.session.get('token') ?? '';
          return {
            scope: scopeOf(token) ?? 'read',
            csrfToken: await reply.generateCsrf(),
            path: request.url.split('?')[0] ?? '',
          };
        },
        async requireWrite(request, reply) {
          if (scopeOf(request.session.get('token') ?? '') === 'write') return true;
          const context = await this.contextOf(request, reply);
          sendPage(
            reply,
            layout(
              context,
              'Not allowed',
              notice('This acts on the pipeline: sign in with the write token (WRITE_TOKEN).', 'error'),
            ),
            403,
          );
          return false;
        },
      };

      scope.get('/assets/htmx.min.js', { schema: { hide: true } }, async (_request, reply) =>
        reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(htmx),
      );
      scope.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/console/pipeline'));

      scope.get(
        '/login',
        { schema: { summary: 'The console sign-in form', tags: [CONSOLE_TAG] } },
        async (_request, reply) => sendPage(reply, loginPage(await reply.generateCsrf(), undefined)),
      );
      scope.post(
        '/login',
        { schema: { summary: 'Sign in to the console with the read or the write token', tags: [CONSOLE_TAG] } },
        async (request, reply) => {
          const token = String((request.body as { token?: unknown } | undefined)?.token ?? '');
          if (token === '' || scopeOf(token) === undefined) {
            request.log.warn('console sign-in refused: unknown token');
            return sendPage(
              reply,
              loginPage(await reply.generateCsrf(), 'That token is not valid: use READ_TOKEN or WRITE_TOKEN.'),
              401,
            );
          }
          // A fresh session id at sign-in, so an id planted before it is worth nothing after.
          await request.session.regenerate();
          request.session.set('token', token);
          return reply.redirect('/console/pipeline', 303);
        },
      );
      scope.post(
        '/logout',
        { schema: { summary: 'Sign out of the console', tags: [CONSOLE_TAG] } },
        async (request, reply) => {
          await request.session.destroy();
          return reply.redirect('/console/login', 303);
        },
      );

      registerPipelinePages(scope, pages);
      registerDeadLetterPages(scope, pages);
      registerChangeLogPages(scope, pages);
      registerSyncPages(scope, pages);
      registerDoctorPages(scope, pages);
    },
    { prefix: '/console' },
  );
}

function loginPage(csrfToken: string, error: string | undefined) {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · Changeflow console</title>
<style>body{font:16px/1.5 system-ui,sans-serif;color:#1a1a1a;max-width:440px;margin:60px auto;padding:0 16px}
label{display:block;margin:12px 0 4px}input{font:inherit;width:100%;padding:6px;border:1px solid #6b7580}
button{font:inherit;margin-top:12px;padding:6px 16px;background:#0b4f9c;color:#fff;border:1px solid #0b4f9c}
input:focus,button:focus{outline:3px solid #f5a623}.error{border-left:5px solid #a4161a;background:#fbeeee;padding:8px}</style></head>
<body><main><h1>Changeflow console</h1>
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<form method="post" action="/console/login">
${csrfField({ csrfToken, scope: 'read', path: '' })}
<label for="token">Token (the read token to look, the write token to act)</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Sign in</button></form>
<p>The tokens are READ_TOKEN and WRITE_TOKEN of the repository-service; <code>npm start</code> prints them.</p>
</main></body></html>`;
}
