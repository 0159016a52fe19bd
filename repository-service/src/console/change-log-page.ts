import { UsageError } from '@changeflow/errors';
import { asOutboxDb, type ChangeLogFilter, listChanges, republishChanges, silentProgress } from '@changeflow/outbox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { CONSOLE_TAG, type ConsolePages } from './console-plugin.js';
import { html, type SafeHtml } from './html.js';
import { csrfField, formatTime, layout, notice, type PageContext, queryString, sendPage } from './layout.js';

/** Rows a change-log page shows. */
const PAGE_ROWS = 100;

const blank = (value: unknown) => (value === '' ? undefined : value);
const changeNumber = z.preprocess(
  blank,
  z
    .string()
    .regex(/^\d{1,19}$/, 'must be a change number')
    .optional(),
);
const time = z.preprocess(
  blank,
  z
    .string()
    .refine((value) => !Number.isNaN(Date.parse(value)), 'must be a date and time')
    .optional(),
);

/** The change-log search of the page; every field is optional and narrows. */
const searchSchema = z.object({
  objectType: z.preprocess(blank, z.string().max(100).optional()),
  objectId: z.preprocess(blank, z.string().max(200).optional()),
  from: changeNumber,
  to: changeNumber,
  since: time,
  until: time,
  published: z.preprocess(blank, z.enum(['yes', 'no']).optional()),
});
type Search = z.output<typeof searchSchema>;

/** A republish asked for by the page: a range, optionally one type or object. */
const republishSchema = z.object({
  from: z.string().regex(/^\d{1,19}$/, 'must be a change number'),
  to: changeNumber,
  objectType: z.preprocess(blank, z.string().max(100).optional()),
  objectId: z.preprocess(blank, z.string().max(200).optional()),
});

function toFilter(search: Search): ChangeLogFilter {
  return {
    objectType: search.objectType,
    objectId: search.objectId,
    fromChangeNumber: search.from,
    toChangeNumber: search.to,
    since: search.since ? new Date(search.since) : undefined,
    until: search.until ? new Date(search.until) : undefined,
    published: search.published === undefined ? undefined : search.published === 'yes',
    limit: PAGE_ROWS,
  };
}

/** Change log: search by object type and id, change-number range and time, published or not; republish a range. */
export function registerChangeLogPages(app: FastifyInstance, pages: ConsolePages): void {
  const { deps } = pages;
  const show = async (
    request: FastifyRequest,
    reply: FastifyReply,
    input: unknown,
    message: SafeHtml,
    statusCode = 200,
  ) => {
    const context = await pages.contextOf(request, reply);
    const parsed = searchSchema.safeParse(input ?? {});
    const search: Search = parsed.success ? parsed.data : {};
    const problem = parsed.success
      ? html``
      : notice(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '), 'error');
    const changes = await listChanges(deps.db, toFilter(search));
    return sendPage(
      reply,
      layout(
        context,
        'Change log',
        html`${message}${problem}${renderSearch(search)}${renderChanges(changes, search)}${renderRepublish(context, search)}`,
      ),
      parsed.success ? statusCode : 400,
    );
  };

  app.get(
    '/changes',
    { schema: { summary: 'Console page: search the change log', tags: [CONSOLE_TAG] } },
    async (request, reply) => show(request, reply, request.query, html``),
  );

  app.post(
    '/changes/republish',
    { schema: { summary: 'Console action: publish a range of changes again (write token)', tags: [CONSOLE_TAG] } },
    async (request, reply) => {
      if (!(await pages.requireWrite(request, reply))) return reply;
      const parsed = republishSchema.safeParse(request.body ?? {});
      if (!parsed.success) {
        const text = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
        return show(request, reply, request.body, notice(`Not republished: ${text}`, 'error'), 400);
      }
      const form = parsed.data;
      try {
        const result = await republishChanges(
          {
            db: asOutboxDb(deps.db),
            databaseUrl: deps.databaseUrl,
            publisher: deps.outbox.publisher,
            progress: silentProgress,
          },
          { from: form.from, to: form.to, objectType: form.objectType, objectId: form.objectId },
        );
        request.log.info({ from: form.from, to: form.to, published: result.published }, 'console republished changes');
        const text =
          `Republished ${result.published} of ${result.matched} change(s) from #${form.from}${form.to ? ` to #${form.to}` : ''}` +
          (result.previouslyPublished > 0
            ? `; ${result.previouslyPublished} had been published before (workers absorb duplicates)`
            : '') +
          (result.failed > 0
            ? `; ${result.failed} not accepted by SNS (${result.failedChangeNumbers.join(', ')}): try again`
            : '') +
          '.';
        return show(request, reply, request.body, notice(text, result.failed > 0 ? 'error' : 'info'));
      } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        return show(request, reply, request.body, notice(err.message, 'error'), 400);
      }
    },
  );
}

function renderSearch(search: Search): SafeHtml {
  const field = (name: keyof Search, label: string, type = 'text') =>
    html`<label for="cl-${name}">${label}<input id="cl-${name}" name="${name}" type="${type}" value="${search[name] ?? ''}"></label>`;
  return html`<form class="filters" method="get" action="/console/changes" aria-label="Search the change log">
${field('objectType', 'Object type')}${field('objectId', 'Object id')}${field('from', 'From change #')}${field('to', 'To change #')}
${field('since', 'Recorded since', 'datetime-local')}${field('until', 'Recorded before', 'datetime-local')}
<label for="cl-published">Published<select id="cl-published" name="published">
<option value="">either</option><option value="yes" ${search.published === 'yes' ? html`selected` : ''}>yes</option><option value="no" ${search.published === 'no' ? html`selected` : ''}>not yet</option></select></label>
<button type="submit">Search</button></form>`;
}

function renderChanges(changes: Awaited<ReturnType<typeof listChanges>>, search: Search): SafeHtml {
  if (changes.length === 0) return html`<p>No change matches.</p>`;
  const last = changes[changes.length - 1];
  const next =
    changes.length === PAGE_ROWS && last
      ? html`<p class="pager"><a href="/console/changes?${queryString({ ...search, from: (BigInt(last.changeNumber) + 1n).toString() })}">Next ${PAGE_ROWS}</a></p>`
      : '';
  return html`<table><thead><tr><th scope="col" class="num">Change #</th><th scope="col">Object type</th><th scope="col">Object id</th><th scope="col" class="num">Version</th><th scope="col">Change</th><th scope="col">Recorded</th><th scope="col">Published</th><th scope="col">User</th></tr></thead>
<tbody>${changes.map(
    (
      change,
    ) => html`<tr><td class="num">${change.changeNumber}</td><td>${change.objectType}</td><td>${change.objectId}</td><td class="num">${change.objectVersion}</td>
<td>${change.changeType}</td><td>${formatTime(change.createdAt)}</td><td>${change.publishedAt ? formatTime(change.publishedAt) : html`<strong>not yet</strong>`}</td><td>${change.userId ?? '-'}</td></tr>`,
  )}</tbody></table>${next}`;
}

function renderRepublish(context: PageContext, search: Search): SafeHtml {
  if (context.scope !== 'write') return html`<p class="muted">Republishing needs the write token.</p>`;
  return html`<h2>Republish a range</h2>
<p class="muted">Publishes the changes again to their topics (at-least-once; workers absorb duplicates through their version guards).</p>
<form class="filters" method="post" action="/console/changes/republish" aria-label="Republish a range">${csrfField(context)}
<label for="rp-from">From change #<input id="rp-from" name="from" required value="${search.from ?? ''}"></label>
<label for="rp-to">To change #<input id="rp-to" name="to" value="${search.to ?? ''}"></label>
<label for="rp-type">Object type<input id="rp-type" name="objectType" value="${search.objectType ?? ''}"></label>
<label for="rp-id">Object id<input id="rp-id" name="objectId" value="${search.objectId ?? ''}"></label>
<button type="submit">Republish</button></form>`;
}
