import { type PipelineStatus, readPipelineStatus } from '@changeflow/consumer';
import { asOutboxDb, type ChangeRateBucket, changeRates } from '@changeflow/outbox';
import type { SlotHolder } from '@changeflow/semaphore';
import type { FastifyInstance } from 'fastify';
import { CONSOLE_TAG, type ConsolePages } from './console-plugin.js';
import { type HandlerLatency, readHandlerLatency } from './handler-latency.js';
import { html, type SafeHtml } from './html.js';
import { formatTime, layout, sendPage } from './layout.js';

/** The chart covers the last five minutes in 10-second buckets. */
const CHART_WINDOW_SECONDS = 300;
const CHART_BUCKET_SECONDS = 10;

/** The pipeline now, and changes recorded and published over the last minutes. */
interface PipelineView {
  status: PipelineStatus;
  rates: ChangeRateBucket[];
  /** Changes published per second over the last full minute. */
  publishedPerSecond: number;
  /** Handler times per worker from `WORKERS_METRICS_URL`; `null` when it is not set. */
  handlers: { latencies: HandlerLatency[] } | { error: string } | null;
}

async function readPipelineView(pages: ConsolePages): Promise<PipelineView> {
  const { deps } = pages;
  const [status, rates, handlers] = await Promise.all([
    readPipelineStatus(deps),
    changeRates(asOutboxDb(deps.db), CHART_WINDOW_SECONDS, CHART_BUCKET_SECONDS),
    deps.workersMetricsUrl ? readHandlerLatency(deps.workersMetricsUrl) : null,
  ]);
  // The newest bucket is still filling: the rate is taken over the six before it.
  const lastMinute = rates.slice(-7, -1);
  const published = lastMinute.reduce((sum, bucket) => sum + bucket.published, 0);
  return { status, rates, handlers, publishedPerSecond: published / (lastMinute.length * CHART_BUCKET_SECONDS || 1) };
}

/** Pipeline: the outbox backlog, the publish rate, per worker its queues and slots, refreshed every 2 s. */
export function registerPipelinePages(app: FastifyInstance, pages: ConsolePages): void {
  app.get(
    '/pipeline',
    { schema: { summary: 'Console page: the pipeline, live', tags: [CONSOLE_TAG] } },
    async (request, reply) => {
      const context = await pages.contextOf(request, reply);
      const view = await readPipelineView(pages);
      return sendPage(
        reply,
        layout(
          context,
          'Pipeline',
          html`<div id="pipeline-live" hx-get="/console/pipeline/live" hx-trigger="every 2s" hx-swap="innerHTML">${renderPipeline(view)}</div>`,
        ),
      );
    },
  );
  app.get(
    '/pipeline/live',
    { schema: { summary: 'Console fragment: the pipeline figures (polled by the page)', tags: [CONSOLE_TAG] } },
    async (_request, reply) => sendPage(reply, renderPipeline(await readPipelineView(pages))),
  );
  app.get(
    '/api/pipeline',
    {
      schema: {
        summary:
          'The pipeline as JSON: outbox backlog, per worker queue, in-flight, delayed and DLQ depth, slot holders, rates',
        tags: [CONSOLE_TAG],
      },
    },
    async () => readPipelineView(pages),
  );
}

function renderPipeline(view: PipelineView): SafeHtml {
  const { status } = view;
  const age = status.outbox.oldestUnpublishedAgeMs;
  return html`<div class="cards" aria-live="polite">
  <div class="card"><div class="value" data-testid="backlog">${status.outbox.unpublished}</div><div class="label">changes not yet published (backlog)</div></div>
  <div class="card"><div class="value">${age === null ? '-' : `${(age / 1000).toFixed(1)} s`}</div><div class="label">age of the oldest unpublished change</div></div>
  <div class="card"><div class="value">${view.publishedPerSecond.toFixed(1)}/s</div><div class="label">published, last minute</div></div>
  <div class="card"><div class="value">${status.sweeper.holders.length > 0 ? 'sweeping' : 'idle'}</div><div class="label">sweeper ${describeHolders(status.sweeper.holders)}</div></div>
</div>
<h2>Workers</h2>
<table><caption class="muted">Queue counts are SQS's approximate figures (prefix ${status.prefix}); updated ${formatTime(status.at)}</caption>
<thead><tr><th scope="col">Worker</th><th scope="col" class="num">Queue</th><th scope="col" class="num">In flight</th><th scope="col" class="num">Delayed</th><th scope="col" class="num">Dead letters (DLQ)</th><th scope="col" class="num">Dead letters recorded</th><th scope="col">Slots</th><th scope="col" class="num">Handler mean</th><th scope="col" class="num">Handler p95 ≤</th></tr></thead>
<tbody>${status.workers.map(
    (
      worker,
    ) => html`<tr><th scope="row"><a href="/console/dead-letters?worker=${worker.worker}">${worker.worker}</a></th>
<td class="num">${worker.queue.missing ? 'missing' : worker.queue.visible}</td>
<td class="num">${worker.queue.missing ? '-' : worker.queue.inFlight}</td>
<td class="num">${worker.queue.missing ? '-' : worker.queue.delayed}</td>
<td class="num">${worker.deadLetterQueue.missing ? 'missing' : worker.deadLetterQueue.visible + worker.deadLetterQueue.inFlight}</td>
<td class="num">${worker.deadLetteredRecorded}</td>
<td>${worker.holders.length}/${worker.maxLocks} ${describeHolders(worker.holders)}</td>
${renderLatency(view.handlers, worker.worker)}</tr>`,
  )}</tbody></table>${
    view.handlers === null
      ? html`<p class="muted">Handler times: set WORKERS_METRICS_URL to a workers process's /metrics.</p>`
      : 'error' in view.handlers
        ? html`<p class="muted">Handler times unavailable: ${view.handlers.error}</p>`
        : html`<p class="muted">Handler times since that workers process started.</p>`
  }
<h2>Changes recorded and published, last ${CHART_WINDOW_SECONDS / 60} minutes</h2>
${renderChart(view.rates)}`;
}

/** Who holds a key's slots, and whether another instance waits for one (its runs then hand over). */
function describeHolders(holders: readonly SlotHolder[]): string {
  const names = holders.map((holder) => holder.holder).join(', ');
  return holders.some((holder) => holder.wantedAt !== null) ? `${names} (another instance waits)` : names;
}

function renderLatency(handlers: PipelineView['handlers'], worker: string): SafeHtml {
  const latency = handlers && 'latencies' in handlers ? handlers.latencies.find((l) => l.worker === worker) : undefined;
  if (!latency || latency.count === 0) return html`<td class="num">-</td><td class="num">-</td>`;
  return html`<td class="num">${latency.meanMs.toFixed(1)} ms</td><td class="num">${latency.p95AtMostMs === null ? '> 30 s' : `${latency.p95AtMostMs} ms`}</td>`;
}

/** Two bar series per 10-second bucket, drawn as inline SVG; a table carries the same figures for screen readers. */
function renderChart(rates: readonly ChangeRateBucket[]): SafeHtml {
  const width = 1000;
  const height = 160;
  const max = Math.max(1, ...rates.map((bucket) => Math.max(bucket.recorded, bucket.published)));
  const step = width / Math.max(1, rates.length);
  const bar = (value: number) => (value / max) * (height - 20);
  const total = (key: 'recorded' | 'published') => rates.reduce((sum, bucket) => sum + bucket[key], 0);
  return html`<figure style="margin:0">
<svg role="img" aria-labelledby="chart-title" viewBox="0 0 ${width} ${height + 20}" width="100%" height="${height + 20}" preserveAspectRatio="none">
<title id="chart-title">Changes recorded (${total('recorded')}) and published (${total('published')}) per 10 seconds, highest ${max}</title>
<line x1="0" y1="${height}" x2="${width}" y2="${height}" stroke="#6b7580"/>
${rates.map(
  (bucket, index) =>
    html`<rect x="${(index * step + 1).toFixed(1)}" y="${(height - bar(bucket.recorded)).toFixed(1)}" width="${(step / 2 - 1).toFixed(1)}" height="${bar(bucket.recorded).toFixed(1)}" fill="#0b4f9c"><title>${formatTime(bucket.startsAt)}: ${bucket.recorded} recorded</title></rect>
<rect x="${(index * step + step / 2).toFixed(1)}" y="${(height - bar(bucket.published)).toFixed(1)}" width="${(step / 2 - 1).toFixed(1)}" height="${bar(bucket.published).toFixed(1)}" fill="#2e8540"><title>${formatTime(bucket.startsAt)}: ${bucket.published} published</title></rect>`,
)}
<text x="4" y="${height + 16}" font-size="12" fill="#1a1a1a">-${CHART_WINDOW_SECONDS / 60} min</text>
<text x="${width - 30}" y="${height + 16}" font-size="12" fill="#1a1a1a">now</text>
<text x="4" y="12" font-size="12" fill="#1a1a1a">${max}</text>
</svg>
<figcaption><span style="color:#0b4f9c">■</span> recorded <span style="color:#2e8540">■</span> published, per 10 s</figcaption></figure>`;
}
