import { performance } from 'node:perf_hooks';
import {
  connectionSearchParamsSchema,
  createRevalQueries,
  PAGE_SIZE,
  type RevalIndexDatabase,
  recommendationSearchParamsSchema,
} from '@changeflow/reval';
import { type Kysely, sql } from 'kysely';
// The count-strategy comparison rebuilds the lists' statements a way the package deliberately does not
// offer (a window count), so it reaches the query builders behind the package's front door.
import {
  connectionFilter,
  connectionSorts,
  countConnections,
  countRecommendations,
  createIndexReader,
  DOCUMENT_SELECTION,
  orderBySorts,
  recommendationFilter,
  recommendationSorts,
  selectConnectionPage,
  selectRecommendationPage,
} from '../../../packages/reval/src/queries/index.js';
import type { QuerySpec } from './workload.js';

/** Latency samples of a workload run, in ms. */
export interface WorkloadSamples {
  readonly byFamily: ReadonlyMap<string, readonly number[]>;
  readonly recommendation: readonly number[];
  readonly connection: readonly number[];
  readonly all: readonly number[];
  /** The slowest requests, slowest first, to EXPLAIN when a figure is off. */
  readonly slowest: ReadonlyArray<{ ms: number; spec: QuerySpec }>;
}

/** How many of the slowest requests are kept. */
const SLOWEST_KEPT = 5;

/** Answers one request through the public query functions, as the HTTP layer will. */
export function runSpec(
  db: Kysely<RevalIndexDatabase>,
  schema: string,
  spec: QuerySpec,
): Promise<{ nextCursor: string | null }> {
  return spec.kind === 'recommendation'
    ? createRevalQueries(db, schema).searchRecommendations(spec.params)
    : createRevalQueries(db, schema).searchConnections(spec.index, spec.params);
}

/**
 * The request to time for `spec`: itself, or, for a keyset family, the same query with the cursor
 * after page `cursorFromPage`, asked for by number first (untimed). A page past the end has no next
 * cursor; the request is then the first page's, still by cursor, and the figure still a keyset page.
 */
export async function preparedSpec(
  db: Kysely<RevalIndexDatabase>,
  schema: string,
  spec: QuerySpec,
): Promise<QuerySpec> {
  if (spec.cursorFromPage === undefined) return spec;
  const before = await runSpec(db, schema, { ...spec, params: { ...spec.params, pageNumber: spec.cursorFromPage } });
  const cursor = before.nextCursor ?? (await runSpec(db, schema, spec)).nextCursor ?? undefined;
  return { ...spec, params: { ...spec.params, cursor } } as QuerySpec;
}

/**
 * Runs the requests one after another (the latency of one officer's request on an otherwise idle
 * database; each request runs its two or three statements at once on the pool) and times each from
 * call to answer, parameter parsing and row mapping included.
 */
export async function measureWorkload(
  db: Kysely<RevalIndexDatabase>,
  schema: string,
  specs: readonly QuerySpec[],
  signal: AbortSignal,
  onDone: (done: number) => void,
): Promise<WorkloadSamples> {
  const byFamily = new Map<string, number[]>();
  const recommendation: number[] = [];
  const connection: number[] = [];
  const all: number[] = [];
  let slowest: Array<{ ms: number; spec: QuerySpec }> = [];
  for (const planned of specs) {
    if (signal.aborted) break;
    const spec = await preparedSpec(db, schema, planned);
    const started = performance.now();
    await runSpec(db, schema, spec);
    const ms = performance.now() - started;
    const family = byFamily.get(spec.family) ?? [];
    family.push(ms);
    byFamily.set(spec.family, family);
    (spec.kind === 'recommendation' ? recommendation : connection).push(ms);
    all.push(ms);
    if (slowest.length < SLOWEST_KEPT || ms > (slowest.at(-1)?.ms ?? 0)) {
      slowest = [...slowest, { ms, spec }].sort((a, b) => b.ms - a.ms).slice(0, SLOWEST_KEPT);
    }
    onDone(all.length);
  }
  return { byFamily, recommendation, connection, all, slowest };
}

/** Latencies of the same requests' page and total, counted two ways. */
export interface CountStrategySamples {
  /** The page and a `count(*)` statement, at once on the pool (what the queries do). */
  readonly separate: readonly number[];
  /** One statement: whole documents with `count(*) over ()`; a page past the end needs the count anyway. */
  readonly window: readonly number[];
}

/**
 * Times the page plus `totalResults` of each request both ways, alternating which goes first so
 * neither always finds the other's pages in cache. Recommendation requests leave out their designated
 * bodies' counts here, which are the same either way.
 */
export async function compareCountStrategies(
  db: Kysely<RevalIndexDatabase>,
  schema: string,
  specs: readonly QuerySpec[],
  signal: AbortSignal,
): Promise<CountStrategySamples> {
  const separate: number[] = [];
  const window: number[] = [];
  for (const [i, spec] of specs.entries()) {
    if (signal.aborted) break;
    const runs = [
      async () => separate.push(await timed(() => separateCount(db, schema, spec))),
      async () => window.push(await timed(() => windowCount(db, schema, spec))),
    ];
    for (const run of i % 2 === 0 ? runs : runs.reverse()) await run();
  }
  return { separate, window };
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

async function separateCount(db: Kysely<RevalIndexDatabase>, schema: string, spec: QuerySpec): Promise<number> {
  const reader = createIndexReader(db, schema);
  if (spec.kind === 'recommendation') {
    const params = recommendationSearchParamsSchema.parse(spec.params);
    const [, total] = await Promise.all([
      selectRecommendationPage(reader, params).execute(),
      countRecommendations(reader, params),
    ]);
    return total;
  }
  const params = connectionSearchParamsSchema.parse(spec.params);
  const [, total] = await Promise.all([
    selectConnectionPage(reader, spec.index, params).execute(),
    countConnections(reader, spec.index, params),
  ]);
  return total;
}

/**
 * The alternative: one statement selecting whole documents with `count(*) over ()`. The count needs
 * every matching row, so the page cannot come from the first 20 entries of an index, nor be chosen on
 * the covering index alone (see `selectDocumentPage`); a page past the end has no row to carry the
 * count, so it needs the count statement anyway.
 */
async function windowCount(db: Kysely<RevalIndexDatabase>, schema: string, spec: QuerySpec): Promise<number> {
  const reader = createIndexReader(db, schema);
  const total = sql<string>`count(*) over ()`.as('total_results');
  if (spec.kind === 'recommendation') {
    const params = recommendationSearchParamsSchema.parse(spec.params);
    const rows = await orderBySorts(
      reader
        .selectFrom('recommendation')
        .select(DOCUMENT_SELECTION)
        .select(total)
        .where((eb) => recommendationFilter(eb, params)),
      recommendationSorts(params),
    )
      .limit(PAGE_SIZE)
      .offset(params.pageNumber * PAGE_SIZE)
      .execute();
    const first = rows[0];
    return first ? Number(first.total_results) : countRecommendations(reader, params);
  }
  const params = connectionSearchParamsSchema.parse(spec.params);
  const rows = await orderBySorts(
    reader
      .selectFrom(spec.index)
      .select(DOCUMENT_SELECTION)
      .select(total)
      .where((eb) => connectionFilter(eb, params)),
    connectionSorts(params),
  )
    .limit(PAGE_SIZE)
    .offset(params.pageNumber * PAGE_SIZE)
    .execute();
  const first = rows[0];
  return first ? Number(first.total_results) : countConnections(reader, spec.index, params);
}
