import {
  asConsumerDb,
  type DlqListResult,
  type DlqReplayResult,
  listDeadLetters,
  purgeDeadLetters,
  type ReplaySelection,
  replayDeadLetters,
  showDeadLetter,
} from '@changeflow/consumer';
import { UsageError } from '@changeflow/errors';
import { silentProgress } from '@changeflow/outbox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CONSOLE_TAG, type ConsolePages } from './console-plugin.js';
import { html, type SafeHtml } from './html.js';
import { csrfField, formatTime, layout, notice, type PageContext, sendPage } from './layout.js';

/** A replay from the page waits this long for invisible DLQ messages to come back (the CLI's default is 20 s). */
const CONSOLE_SETTLE_SECONDS = 5;

type Form = Record<string, string | undefined>;

/**
 * Dead letters: per worker, what `failed_messages` recorded (reason, attempts, first and last failure,
 * change numbers) beside the DLQ's depth; a message in full; replay (all, by id, by reason) and purge
 * with a confirmation. The same functions as `changeflow dlq`, so both stay at-least-once.
 */
export function registerDeadLetterPages(app: FastifyInstance, pages: ConsolePages): void {
  const { deps } = pages;
  const common = () => ({
    db: asConsumerDb(deps.db),
    databaseUrl: deps.databaseUrl,
    sqs: deps.sqs,
    workers: deps.workers,
    prefix: deps.prefix,
  });
  const workerOf = (value: string | undefined) => value || deps.workers[0]?.name || '';

  const showList = async (
    request: FastifyRequest,
    reply: FastifyReply,
    worker: string,
    message: SafeHtml,
    statusCode = 200,
  ) => {
    const context = await pages.contextOf(request, reply);
    const result = await listDeadLetters(common(), { worker, limit: 200 });
    return sendPage(
      reply,
      layout(context, 'Dead letters', html`${message}${renderList(context, pages, result)}`),
      statusCode,
    );
  };

  app.get(
    '/dead-letters',
    { schema: { summary: 'Console page: dead letters of a worker', tags: [CONSOLE_TAG] } },
    async (request, reply) => {
      const worker = workerOf((request.query as Form).worker);
      try {
        return await showList(request, reply, worker, html``);
      } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        const context = await pages.contextOf(request, reply);
        return sendPage(reply, layout(context, 'Dead letters', notice(err.message, 'error')), 400);
      }
    },
  );

  app.get(
    '/dead-letters/:worker/:messageId',
    { schema: { summary: 'Console page: one dead letter in full', tags: [CONSOLE_TAG] } },
    async (request, reply) => {
      const { worker, messageId } = request.params as { worker: string; messageId: string };
      const context = await pages.contextOf(request, reply);
      try {
        const result = await showDeadLetter(common(), { worker, messageId });
        const body = html`<p><a href="/console/dead-letters?worker=${worker}">Back to the dead letters of ${worker}</a></p>
<h2>Failure recorded</h2>${result.failure ? html`<pre>${JSON.stringify(result.failure, null, 2)}</pre>` : html`<p>None recorded in failed_messages (SQS may have dead-lettered it after a crash).</p>`}
<h2>In the DLQ</h2>${result.deadLetter ? html`<pre>${JSON.stringify(result.deadLetter, null, 2)}</pre>` : html`<p>Not in the DLQ now (looked at ${result.scanned}): replayed, purged or expired.</p>`}
${context.scope === 'write' ? replayForm(context, worker, { mode: 'id', id: messageId }, 'Replay this message') : ''}`;
        return sendPage(reply, layout(context, `Dead letter ${messageId}`, body));
      } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        return sendPage(reply, layout(context, 'Dead letter', notice(err.message, 'error')), 404);
      }
    },
  );

  app.post(
    '/dead-letters/replay',
    {
      schema: {
        summary: "Console action: replay dead letters to the worker's queue (write token)",
        tags: [CONSOLE_TAG],
      },
    },
    async (request, reply) => {
      if (!(await pages.requireWrite(request, reply))) return reply;
      const form = (request.body ?? {}) as Form;
      const worker = workerOf(form.worker);
      const selection: ReplaySelection | undefined =
        form.mode === 'all'
          ? { all: true }
          : form.mode === 'id' && form.id
            ? { ids: [form.id] }
            : form.mode === 'reason' && form.reason
              ? { reason: form.reason }
              : undefined;
      if (!selection) {
        return showList(
          request,
          reply,
          worker,
          notice('Say what to replay: all, one message, or a reason.', 'error'),
          400,
        );
      }
      try {
        const result = await replayDeadLetters(
          { ...common(), progress: silentProgress, logger: deps.logger.child({ component: 'console' }) },
          { worker, selection, settleSeconds: CONSOLE_SETTLE_SECONDS },
        );
        request.log.info({ worker, moved: result.moved, failed: result.failed }, 'console replayed dead letters');
        return showList(request, reply, worker, notice(describeReplay(result), result.failed > 0 ? 'error' : 'info'));
      } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        return showList(request, reply, worker, notice(err.message, 'error'), 400);
      }
    },
  );

  app.post(
    '/dead-letters/purge',
    {
      schema: {
        summary: "Console action: purge a worker's DLQ for good (write token, confirmed)",
        tags: [CONSOLE_TAG],
      },
    },
    async (request, reply) => {
      if (!(await pages.requireWrite(request, reply))) return reply;
      const form = (request.body ?? {}) as Form;
      const worker = workerOf(form.worker);
      try {
        const result = await purgeDeadLetters(common(), { worker, isConfirmed: form.confirm === worker });
        request.log.warn({ worker, purged: result.purgedApproximately }, 'console purged a dead-letter queue');
        return showList(
          request,
          reply,
          worker,
          notice(
            `Purged ${result.deadLetterQueue}: about ${result.purgedApproximately} message(s) deleted for good; ` +
              `${result.recordsDeleted} record(s) removed.`,
          ),
        );
      } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        const message =
          form.confirm === worker ? err.message : `Not purged: type the worker's name (${worker}) to confirm.`;
        return showList(request, reply, worker, notice(message, 'error'), 400);
      }
    },
  );
}

function describeReplay(result: DlqReplayResult): string {
  const parts = [`Replayed ${result.moved} message(s) from ${result.deadLetterQueue} to ${result.queue}.`];
  if (result.skipped > 0) parts.push(`${result.skipped} did not match and stay in the DLQ.`);
  if (result.duplicatesPossible > 0) parts.push(`${result.duplicatesPossible} may be delivered twice.`);
  if (result.failed > 0) parts.push(`${result.failed} could not be sent: ${result.errors.join('; ')}. Try again.`);
  if (result.notFound.length > 0) parts.push(`Not found in the DLQ: ${result.notFound.join(', ')}.`);
  if (result.notVisible > 0)
    parts.push(`${result.notVisible} stayed invisible (another reader holds them): try again in a minute.`);
  return parts.join(' ');
}

function replayForm(context: PageContext, worker: string, fields: Form, label: string): SafeHtml {
  return html`<form method="post" action="/console/dead-letters/replay" style="display:inline">${csrfField(context)}
<input type="hidden" name="worker" value="${worker}">${Object.entries(fields).map(
    ([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`,
  )}<button type="submit" class="secondary">${label}</button></form>`;
}

function renderList(context: PageContext, pages: ConsolePages, result: DlqListResult): SafeHtml {
  const depth = result.deadLetterQueueDepth;
  const isWriter = context.scope === 'write';
  return html`<form class="filters" method="get" action="/console/dead-letters">
<label for="worker">Worker<select id="worker" name="worker">${pages.deps.workers.map(
    (worker) =>
      html`<option value="${worker.name}" ${worker.name === result.worker ? html`selected` : ''}>${worker.name}</option>`,
  )}</select></label><button type="submit">Show</button></form>
<p>${result.total} dead letter(s) recorded for <strong>${result.worker}</strong>; the DLQ ${result.deadLetterQueue}
${depth ? `holds about ${depth.visible + depth.inFlight}` : 'does not exist (provision the topology)'}.</p>
${
  isWriter
    ? html`<div class="actions">${replayForm(context, result.worker, { mode: 'all' }, 'Replay all')}
<form method="post" action="/console/dead-letters/replay" class="filters" style="margin:0">${csrfField(context)}
<input type="hidden" name="worker" value="${result.worker}"><input type="hidden" name="mode" value="reason">
<label for="reason">Reason contains<input id="reason" name="reason" required></label><button type="submit" class="secondary">Replay by reason</button></form>
<form method="post" action="/console/dead-letters/purge" class="filters" style="margin:0">${csrfField(context)}
<input type="hidden" name="worker" value="${result.worker}">
<label for="confirm"><span>Type <strong>${result.worker}</strong> to confirm</span><input id="confirm" name="confirm" autocomplete="off" required></label>
<button type="submit" class="danger">Purge the DLQ for good</button></form></div>`
    : html`<p class="muted">Signed in with the read token: replay and purge need the write token.</p>`
}
${
  result.messages.length === 0
    ? html`<p>Nothing dead-lettered.</p>`
    : html`<table><thead><tr><th scope="col">Message</th><th scope="col">Changes</th><th scope="col">Object</th><th scope="col" class="num">Attempts</th><th scope="col">First failed</th><th scope="col">Last failed</th><th scope="col">Reason</th>${isWriter ? html`<th scope="col">Action</th>` : ''}</tr></thead>
<tbody>${result.messages.map(
        (
          message,
        ) => html`<tr><td><a href="/console/dead-letters/${result.worker}/${message.messageId}">${message.messageId}</a></td>
<td>${message.changeNumbers.join(', ') || '-'}</td><td>${message.objectType ?? '?'} ${message.objectIds.join(', ')}</td>
<td class="num">${message.attempts}</td><td>${formatTime(message.firstFailedAt)}</td><td>${formatTime(message.lastFailedAt)}</td>
<td>${message.error}</td>${isWriter ? html`<td>${replayForm(context, result.worker, { mode: 'id', id: message.messageId }, 'Replay')}</td>` : ''}</tr>`,
      )}</tbody></table>`
}`;
}
