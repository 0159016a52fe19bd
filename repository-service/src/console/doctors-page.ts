import {
  CONNECTION_INDEXES,
  connectionSearchParamsSchema,
  DEFAULT_DESIGNATED_BODIES,
  InvalidQueryParamsError,
  type MasterDocument,
  recommendationSearchParamsSchema,
} from '@changeflow/reval';
import type { FastifyInstance } from 'fastify';
import { CONSOLE_TAG, type ConsolePages } from './console-plugin.js';
import { html, type SafeHtml } from './html.js';
import { layout, notice, queryString, sendPage } from './layout.js';

const LISTS = ['recommendations', ...CONNECTION_INDEXES] as const;
type ListName = (typeof LISTS)[number];

/** The columns of the lists: a field, its heading, and whether the API sorts by it. */
const COLUMNS: ReadonlyArray<{ field: keyof MasterDocument; label: string; recommendationSort: boolean }> = [
  { field: 'gmcReferenceNumber', label: 'GMC number', recommendationSort: true },
  { field: 'doctorFirstName', label: 'First name', recommendationSort: true },
  { field: 'doctorLastName', label: 'Last name', recommendationSort: true },
  { field: 'submissionDate', label: 'Submission', recommendationSort: true },
  { field: 'designatedBody', label: 'Designated body', recommendationSort: false },
  { field: 'programmeName', label: 'Programme', recommendationSort: false },
  { field: 'underNotice', label: 'Under notice', recommendationSort: false },
  { field: 'tisStatus', label: 'TIS status', recommendationSort: false },
  { field: 'gmcStatus', label: 'GMC status', recommendationSort: false },
];

type Query = Record<string, string | undefined>;

/** What a list answers that the page shows. */
type ListPage = {
  totalResults: number;
  totalPages: number;
  records: MasterDocument[];
  nextCursor: string | null;
  previousCursor: string | null;
};

/**
 * Doctors: the recommendation list and the four connection lists, with the API's own query schemas
 * (filters, sorting, paging, page size 20), and one doctor's document in every index it is in.
 */
export function registerDoctorPages(app: FastifyInstance, pages: ConsolePages): void {
  const { deps } = pages;
  app.get(
    '/doctors',
    { schema: { summary: 'Console page: the recommendation and connection lists', tags: [CONSOLE_TAG] } },
    async (request, reply) => {
      const context = await pages.contextOf(request, reply);
      const { list: listParam, ...query } = request.query as Query;
      const list: ListName = LISTS.includes(listParam as ListName) ? (listParam as ListName) : 'recommendations';
      const schema = list === 'recommendations' ? recommendationSearchParamsSchema : connectionSearchParamsSchema;
      const cleaned = Object.fromEntries(
        Object.entries(query).filter(([, value]) => value !== '' && value !== undefined),
      );
      const parsed = schema.safeParse(cleaned);
      if (!parsed.success) {
        const text = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
        return sendPage(
          reply,
          layout(context, 'Doctors', html`${notice(text, 'error')}${renderFilters(list, query)}`),
          400,
        );
      }
      let result: ListPage;
      let counts: SafeHtml | string = '';
      const { queries } = deps;
      try {
        if (list === 'recommendations') {
          const answer = await queries.searchRecommendations(recommendationSearchParamsSchema.parse(cleaned));
          counts = html`<p>${answer.countTotal} doctor(s) in the selected designated bodies, ${answer.countUnderNotice} under notice.</p>`;
          result = answer;
        } else {
          result = await queries.searchConnections(list, connectionSearchParamsSchema.parse(cleaned));
        }
      } catch (err) {
        // A cursor of another list or query (an old link): say so, and offer the list from its start.
        if (!(err instanceof InvalidQueryParamsError)) throw err;
        const text = err.issues.map((issue) => `${issue.field}: ${issue.reason}`).join('; ');
        return sendPage(
          reply,
          layout(context, 'Doctors', html`${notice(text, 'error')}${renderTabs(list)}${renderFilters(list, query)}`),
          400,
        );
      }
      // The page shown: the console counts it along its links, since a cursor says where, not which.
      const page = Number(query.page ?? query.pageNumber ?? 0) || 0;
      const body = html`${renderTabs(list)}${renderFilters(list, query)}${counts}
<p data-testid="doctor-total">${result.totalResults} result(s), page ${page + 1} of ${Math.max(1, result.totalPages)}</p>
${renderTable(list, query, result.records)}${renderPager(list, query, page, result)}`;
      return sendPage(reply, layout(context, 'Doctors', body));
    },
  );

  app.get(
    '/doctors/:gmcReferenceNumber',
    { schema: { summary: "Console page: one doctor's document in every index", tags: [CONSOLE_TAG] } },
    async (request, reply) => {
      const context = await pages.contextOf(request, reply);
      const { gmcReferenceNumber } = request.params as { gmcReferenceNumber: string };
      const found = await deps.queries.findDoctorInIndexes(gmcReferenceNumber);
      const indexes = Object.keys(found) as Array<keyof typeof found>;
      if (indexes.length === 0) {
        return sendPage(
          reply,
          layout(
            context,
            `Doctor ${gmcReferenceNumber}`,
            notice(`GMC number ${gmcReferenceNumber} is in no index.`, 'error'),
          ),
          404,
        );
      }
      const fields = Object.keys(found[indexes[0] as keyof typeof found] ?? {}) as Array<keyof MasterDocument>;
      const body = html`<p>In <strong data-testid="doctor-indexes">${indexes.join(', ')}</strong>.</p>
<table><thead><tr><th scope="col">Field</th>${indexes.map((index) => html`<th scope="col">${index}</th>`)}</tr></thead>
<tbody>${fields.map(
        (field) =>
          html`<tr><th scope="row">${field}</th>${indexes.map((index) => html`<td>${show(found[index]?.[field])}</td>`)}</tr>`,
      )}</tbody></table>`;
      return sendPage(reply, layout(context, `Doctor ${gmcReferenceNumber}`, body));
    },
  );
}

function show(value: unknown): string {
  const text = Array.isArray(value) ? value.join(', ') : value === null || value === undefined ? '' : String(value);
  return text === '' ? '-' : text;
}

function renderTabs(list: ListName): SafeHtml {
  return html`<nav aria-label="Lists" class="pager">${LISTS.map(
    (name) =>
      html`<a href="/console/doctors?list=${name}" ${name === list ? html`aria-current="page"` : ''}>${name}</a>`,
  )}</nav>`;
}

function renderFilters(list: ListName, query: Query): SafeHtml {
  const text = (name: string, label: string, type = 'text') =>
    html`<label for="dr-${name}">${label}<input id="dr-${name}" name="${name}" type="${type}" value="${query[name] ?? ''}"></label>`;
  return html`<form class="filters" method="get" action="/console/doctors" aria-label="Filter the list">
<input type="hidden" name="list" value="${list}">
${text('searchQuery', 'Name or GMC number starts with')}
<label for="dr-dbcs">Designated body<select id="dr-dbcs" name="dbcs"><option value="">all</option>${DEFAULT_DESIGNATED_BODIES.map(
    (body) =>
      html`<option value="${body.code}" ${query.dbcs === body.code ? html`selected` : ''}>${body.owner} (${body.code})</option>`,
  )}</select></label>
${text('programmeName', 'Programme')}
${
  list === 'recommendations'
    ? html`<label class="inline" for="dr-underNotice"><input id="dr-underNotice" type="checkbox" name="underNotice" value="true" ${query.underNotice === 'true' ? html`checked` : ''}>Under notice only</label>`
    : html`${text('membershipEndDateFrom', 'Membership ends from', 'date')}${text('membershipEndDateTo', 'Membership ends to', 'date')}`
}
<input type="hidden" name="sortColumn" value="${query.sortColumn ?? ''}"><input type="hidden" name="sortOrder" value="${query.sortOrder ?? ''}">
<button type="submit">Search</button></form>`;
}

function renderTable(list: ListName, query: Query, records: readonly MasterDocument[]): SafeHtml {
  if (records.length === 0) return html`<p>No doctor matches.</p>`;
  const sortable = (column: (typeof COLUMNS)[number]) => list !== 'recommendations' || column.recommendationSort;
  const header = (column: (typeof COLUMNS)[number]) => {
    if (!sortable(column)) return html`<th scope="col">${column.label}</th>`;
    const isSorted = query.sortColumn === column.field;
    const order = isSorted && query.sortOrder === 'asc' ? 'desc' : 'asc';
    const href = `/console/doctors?${queryString({ ...query, list, sortColumn: column.field, sortOrder: order, ...FIRST_PAGE })}`;
    const sort = isSorted ? (query.sortOrder === 'asc' ? 'ascending' : 'descending') : 'none';
    const arrow = isSorted ? html` <span aria-hidden="true">${query.sortOrder === 'asc' ? '▲' : '▼'}</span>` : '';
    return html`<th scope="col" aria-sort="${sort}"><a href="${href}">${column.label}</a>${arrow}</th>`;
  };
  return html`<table><thead><tr>${COLUMNS.map(header)}</tr></thead><tbody>${records.map(
    (doctor) =>
      html`<tr>${COLUMNS.map((column) =>
        column.field === 'gmcReferenceNumber'
          ? html`<td><a href="/console/doctors/${doctor.gmcReferenceNumber}">${doctor.gmcReferenceNumber}</a></td>`
          : html`<td>${show(doctor[column.field])}</td>`,
      )}</tr>`,
  )}</tbody></table>`;
}

/** No page, cursor or shown page number: the list from its start. */
const FIRST_PAGE = { pageNumber: undefined, cursor: undefined, page: undefined };

/**
 * Previous and next by the answer's cursors (keyset paging: a deep page costs what the first does,
 * and rows written meanwhile do not shift the pages), carrying the page number shown.
 */
function renderPager(list: ListName, query: Query, page: number, result: ListPage): SafeHtml {
  const link = (cursor: string, to: number, label: string) =>
    html`<a href="/console/doctors?${queryString({ ...query, list, ...FIRST_PAGE, cursor, page: to })}">${label}</a>`;
  return html`<nav class="pager" aria-label="Pages">${result.previousCursor ? link(result.previousCursor, page - 1, 'Previous page') : ''}${result.nextCursor ? link(result.nextCursor, page + 1, 'Next page') : ''}</nav>`;
}
