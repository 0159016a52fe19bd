import { listSyncJobs, type SyncJob, startSync } from '@changeflow/reval';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CONSOLE_TAG, type ConsolePages } from './console-plugin.js';
import { html, type SafeHtml } from './html.js';
import { csrfField, formatTime, layout, notice, sendPage } from './layout.js';

/** Past runs listed. */
const PAST_RUNS = 20;

const isActive = (job: SyncJob) => job.state === 'pending' || job.state === 'running';

/** Sync: start a full reval sync, watch its steps and counts (polled every second), see past runs. */
export function registerSyncPages(app: FastifyInstance, pages: ConsolePages): void {
  const { deps } = pages;
  const show = async (request: FastifyRequest, reply: FastifyReply, message: SafeHtml, statusCode = 200) => {
    const context = await pages.contextOf(request, reply);
    const jobs = await listSyncJobs(deps.db, PAST_RUNS);
    const start =
      context.scope === 'write'
        ? html`<form method="post" action="/console/sync">${csrfField(context)}<button type="submit">Start a full sync</button></form>
<p class="muted">Builds every index anew beside the live ones and swaps them in at once: searches keep answering throughout (G7).</p>`
        : html`<p class="muted">Starting a sync needs the write token.</p>`;
    const body = html`${message}${start}${renderRuns(jobs)}`;
    return sendPage(reply, layout(context, 'Sync', body), statusCode);
  };

  app.get('/sync', { schema: { summary: 'Console page: full syncs', tags: [CONSOLE_TAG] } }, async (request, reply) =>
    show(request, reply, html``),
  );
  app.post(
    '/sync',
    { schema: { summary: 'Console action: start a full reval sync (write token)', tags: [CONSOLE_TAG] } },
    async (request, reply) => {
      if (!(await pages.requireWrite(request, reply))) return reply;
      const outcome = await startSync(deps.outbox, deps.db, 'console');
      if ('running' in outcome) {
        return show(
          request,
          reply,
          notice(`Sync ${outcome.running.id} is already ${outcome.running.state}: follow it below.`, 'error'),
          409,
        );
      }
      request.log.info({ syncId: outcome.started.id }, 'console started a sync');
      return show(request, reply, notice(`Sync ${outcome.started.id} started.`));
    },
  );
  app.get(
    '/sync/live',
    {
      schema: {
        summary: 'Console fragment: the latest sync and past runs, polled while one runs',
        tags: [CONSOLE_TAG],
      },
    },
    async (_request, reply) => sendPage(reply, renderRuns(await listSyncJobs(deps.db, PAST_RUNS))),
  );
}

/** The latest run and the past ones; while the latest is pending or running the block polls itself every second. */
function renderRuns(jobs: readonly SyncJob[]): SafeHtml {
  const [latest] = jobs;
  const poll =
    latest && isActive(latest) ? html`hx-get="/console/sync/live" hx-trigger="every 1s" hx-swap="outerHTML"` : html``;
  return html`<div id="sync-runs" ${poll}><h2>Latest run</h2>${latest ? renderJob(latest) : html`<p>No sync has run yet.</p>`}
<h2>Past runs</h2>${renderHistory(jobs)}</div>`;
}

/** One job: state, step, counts and step timings. */
function renderJob(job: SyncJob): SafeHtml {
  return html`<section id="sync-job" aria-live="polite" data-state="${job.state}">
<p>Sync <strong>#${job.id}</strong>: <strong data-testid="sync-state">${job.state}</strong>, step <strong>${job.step}</strong>
(requested ${formatTime(job.requestedAt)} by ${job.requestedBy ?? 'unknown'}${job.finishedAt ? `, finished ${formatTime(job.finishedAt)}` : ''})</p>
${job.error ? notice(job.error, 'error') : ''}
<table class="narrow"><caption class="muted">Counts and step timings</caption><thead><tr><th scope="col">Figure</th><th scope="col" class="num">Value</th></tr></thead><tbody>
${Object.entries(job.counts).map(([name, value]) => html`<tr><th scope="row">${name}</th><td class="num">${value}</td></tr>`)}
${Object.entries(job.stepTimingsMs).map(([name, ms]) => html`<tr><th scope="row">${name} (ms)</th><td class="num">${ms}</td></tr>`)}
</tbody></table></section>`;
}

function renderHistory(jobs: readonly SyncJob[]): SafeHtml {
  if (jobs.length === 0) return html`<p>None.</p>`;
  return html`<table><thead><tr><th scope="col">Sync</th><th scope="col">State</th><th scope="col">Step</th><th scope="col">Requested</th><th scope="col">Finished</th><th scope="col" class="num">Total ms</th><th scope="col">Error</th></tr></thead>
<tbody>${jobs.map(
    (
      job,
    ) => html`<tr><td>#${job.id}</td><td>${job.state}</td><td>${job.step}</td><td>${formatTime(job.requestedAt)}</td><td>${formatTime(job.finishedAt)}</td>
<td class="num">${Object.values(job.stepTimingsMs).reduce((sum, ms) => sum + ms, 0)}</td><td>${job.error ?? ''}</td></tr>`,
  )}</tbody></table>`;
}
