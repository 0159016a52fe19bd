import type { FastifyReply } from 'fastify';
import { html, SafeHtml } from './html.js';

/** What every console page knows about the request: who is signed in and the form token. */
export interface PageContext {
  /** `write` may act (replay, purge, republish, sync); `read` may only look. */
  scope: 'read' | 'write';
  /** The CSRF token every form posts back as `_csrf`. */
  csrfToken: string;
  /** The path of the page, to mark its tab. */
  path: string;
}

const TABS = [
  ['/console/pipeline', 'Pipeline'],
  ['/console/dead-letters', 'Dead letters'],
  ['/console/changes', 'Change log'],
  ['/console/sync', 'Sync'],
  ['/console/doctors', 'Doctors'],
] as const;

/*
 * Colours pass WCAG AA contrast on white (text #1a1a1a, links #0b4f9c, muted #4a4a4a); focus is a
 * thick outline; the layout is one column that fits a 1280 px laptop without scrolling sideways.
 */
const STYLE = `
*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,sans-serif;color:#1a1a1a;background:#fff}
a{color:#0b4f9c}a:focus,button:focus,input:focus,select:focus,summary:focus{outline:3px solid #f5a623;outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:4px}
header{background:#12263f;color:#fff;padding:8px 20px;display:flex;gap:24px;align-items:center;flex-wrap:wrap}
header .brand{font-weight:700;font-size:17px}header nav a{color:#fff;margin-right:16px;text-decoration:none;padding:4px 2px}
header nav a[aria-current=page]{border-bottom:3px solid #f5a623}header form{margin-left:auto}
header .who{font-size:13px;color:#dfe6ee}main{padding:16px 20px;max-width:1240px}
h1{font-size:22px;margin:4px 0 12px}h2{font-size:18px;margin:18px 0 8px}
table{border-collapse:collapse;width:100%;font-size:14px}th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #d0d5db;vertical-align:top}
thead th{background:#eef1f4}tbody th{font-weight:600}table.narrow{width:auto;min-width:420px}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
form.filters{display:flex;flex-wrap:wrap;gap:10px;align-items:flex-end;margin:8px 0 12px}
label{display:flex;flex-direction:column;font-size:13px;color:#4a4a4a;gap:2px}label.inline{flex-direction:row;align-items:center;gap:6px}
input,select{font:inherit;padding:4px 6px;border:1px solid #6b7580;border-radius:3px;color:#1a1a1a}
button{font:inherit;padding:5px 12px;border:1px solid #0b4f9c;background:#0b4f9c;color:#fff;border-radius:3px;cursor:pointer}
button.secondary{background:#fff;color:#0b4f9c}button.danger{background:#a4161a;border-color:#a4161a}
.notice{padding:8px 12px;border-left:5px solid #0b4f9c;background:#eef4fb;margin:8px 0}
.notice.error{border-color:#a4161a;background:#fbeeee}.muted{color:#4a4a4a}
.cards{display:flex;gap:12px;flex-wrap:wrap}.card{border:1px solid #d0d5db;border-radius:4px;padding:10px 14px;min-width:170px}
.card .value{font-size:24px;font-weight:700}.card .label{font-size:13px;color:#4a4a4a}
pre{background:#f4f6f8;padding:10px;overflow:auto;font-size:13px}
.actions{display:flex;gap:16px;flex-wrap:wrap;align-items:flex-end;margin:8px 0}
.pager{display:flex;gap:12px;margin:8px 0}
`;

/** The page shell: a skip link, the tabs, who is signed in, and the sign-out form. */
export function layout(context: PageContext, title: string, body: SafeHtml): SafeHtml {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Changeflow console</title><style>${new SafeHtml(STYLE)}</style>
<script src="/console/assets/htmx.min.js" defer></script></head>
<body hx-headers='${JSON.stringify({ 'x-csrf-token': context.csrfToken })}'>
<a class="skip" href="#main">Skip to content</a>
<header><span class="brand">Changeflow console</span>
<nav aria-label="Console pages">${TABS.map(
    ([href, label]) =>
      html`<a href="${href}" ${context.path.startsWith(href) ? html`aria-current="page"` : ''}>${label}</a>`,
  )}</nav>
<span class="who">Signed in with the ${context.scope} token${context.scope === 'read' ? ' (look only)' : ''}</span>
<form method="post" action="/console/logout"><input type="hidden" name="_csrf" value="${context.csrfToken}">
<button class="secondary" type="submit">Sign out</button></form></header>
<main id="main"><h1>${title}</h1>${body}</main></body></html>`;
}

/** A notice above a page's content: what an action did, or why it did not. */
export function notice(text: string | undefined, kind: 'info' | 'error' = 'info'): SafeHtml {
  if (!text) return html``;
  return html`<div class="notice ${kind === 'error' ? 'error' : ''}" role="${kind === 'error' ? 'alert' : 'status'}">${text}</div>`;
}

/** Sends a page as HTML. */
export function sendPage(reply: FastifyReply, page: SafeHtml, statusCode = 200): FastifyReply {
  return reply.code(statusCode).type('text/html; charset=utf-8').send(page.text);
}

/** The hidden CSRF field of a form. */
export function csrfField(context: PageContext): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${context.csrfToken}">`;
}

/** `a=1&b=2` of the non-empty values, for links that keep a page's filters. */
export function queryString(values: Record<string, string | number | boolean | undefined | null>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined && value !== null && value !== '' && value !== false) params.set(name, String(value));
  }
  return params.toString();
}

/** A time for people (UTC, to the second); `-` when there is none. */
export function formatTime(value: Date | string | null | undefined): string {
  if (value === null || value === undefined) return '-';
  return new Date(value)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
}
