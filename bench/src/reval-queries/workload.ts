import {
  CONNECTION_SORT_COLUMNS,
  type ConnectionIndex,
  type ConnectionSearchParams,
  RECOMMENDATION_SORT_COLUMNS,
  type RecommendationSearchParams,
} from '@changeflow/reval';
import { ADMINS, FIRST_NAMES, LAST_NAMES } from './doctor-data.js';
import { DESIGNATED_BODIES, LONDON_BODIES } from './load-doctors.js';

/**
 * One request of the workload, as the HTTP layer would hand it over: query-string values. With
 * `cursorFromPage`, the request is the page after that one by keyset paging: the measurement first
 * asks for that page by number, untimed, and then times the request with its `nextCursor`, as an
 * officer paging on would send it.
 */
export type QuerySpec =
  | { family: string; kind: 'recommendation'; params: RecommendationSearchParams; cursorFromPage?: number }
  | {
      family: string;
      kind: 'connection';
      index: ConnectionIndex;
      params: ConnectionSearchParams;
      cursorFromPage?: number;
    };

/** A family of requests and its share of the workload, in percent. */
interface Family {
  name: string;
  weight: number;
  make(pick: Picker): QuerySpec;
}

/** A seeded source of choices (mulberry32), so every run asks the same questions. */
export class Picker {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A number in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A whole number in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  one<T>(values: readonly T[]): T {
    const value = values[Math.floor(this.next() * values.length)];
    if (value === undefined) throw new Error('Picker.one: no values to pick from');
    return value;
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }
}

const CONNECTION_INDEXES_WITH_BODIES = ['connected', 'exception', 'discrepancies'] as const;
/** Phrases an officer types into the programme filter. */
const PROGRAMME_PHRASES = ['general practice', 'surg', 'medicine', 'paediatrics', 'acute care', 'psychiatry', 'onc'];
const TIS_STATUS_CHOICES = ['NOT_STARTED', 'DRAFT', 'SUBMITTED_TO_GMC', 'COMPLETED', 'DRAFT,SUBMITTED_TO_GMC'];
const GMC_STATUS_CHOICES = ['Approved', 'Under Review', 'Rejected', 'Approved,Rejected'];

function oneBody(pick: Picker): string {
  return pick.one(DESIGNATED_BODIES).code;
}

/** What an officer types in the search box: the start of a last or first name, or of a GMC number. */
function searchText(pick: Picker): string {
  const roll = pick.next();
  if (roll < 0.5) return pick.one(LAST_NAMES).slice(0, pick.int(2, 5));
  if (roll < 0.7) return pick.one(FIRST_NAMES).slice(0, pick.int(2, 4)).toLowerCase();
  return String(pick.int(1000000, 9999999)).slice(0, pick.int(3, 6));
}

function sortOrder(pick: Picker): string {
  return pick.chance(0.5) ? 'asc' : 'desc';
}

/** A request without its family, page or cursor. */
type DeepQuery = DistributiveOmit<QuerySpec, 'family' | 'cursorFromPage'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * Two families of the same deep pages (100-1,300) of long lists: `<prefix>DeepPage` asks by page
 * number (offset paging, as existing callers do), `<prefix>DeepCursor` for the page after one by its
 * cursor (keyset paging, as the console and a client paging on do).
 */
function deepPageFamilies(prefix: string, query: (pick: Picker) => DeepQuery): Family[] {
  const byNumber = `${prefix}DeepPage`;
  const byCursor = `${prefix}DeepCursor`;
  return [
    {
      name: byNumber,
      weight: 2,
      make: (pick) => {
        const made = query(pick);
        return { ...made, family: byNumber, params: { ...made.params, pageNumber: String(pick.int(100, 1300)) } };
      },
    },
    {
      name: byCursor,
      weight: 2,
      make: (pick) => ({ ...query(pick), family: byCursor, cursorFromPage: pick.int(100, 1300) }),
    },
  ];
}

const FAMILIES: readonly Family[] = [
  {
    name: 'recDefault',
    weight: 12,
    make: (pick) => ({
      family: 'recDefault',
      kind: 'recommendation',
      params: { dbcs: oneBody(pick), pageNumber: String(pick.chance(0.8) ? 0 : pick.int(1, 5)) },
    }),
  },
  {
    name: 'recUnderNotice',
    weight: 8,
    make: (pick) => ({
      family: 'recUnderNotice',
      kind: 'recommendation',
      params: {
        dbcs: oneBody(pick),
        underNotice: 'true',
        sortColumn: pick.one(RECOMMENDATION_SORT_COLUMNS),
        sortOrder: sortOrder(pick),
      },
    }),
  },
  {
    name: 'recSort',
    weight: 8,
    make: (pick) => ({
      family: 'recSort',
      kind: 'recommendation',
      params: {
        dbcs: oneBody(pick),
        sortColumn: pick.one(RECOMMENDATION_SORT_COLUMNS),
        sortOrder: sortOrder(pick),
        pageNumber: String(pick.int(0, 10)),
      },
    }),
  },
  {
    name: 'recSearch',
    weight: 10,
    make: (pick) => ({
      family: 'recSearch',
      kind: 'recommendation',
      params: {
        dbcs: pick.chance(0.8) ? oneBody(pick) : LONDON_BODIES.join(','),
        searchQuery: searchText(pick),
        underNotice: pick.chance(0.3) ? 'true' : 'false',
      },
    }),
  },
  {
    name: 'recFilters',
    weight: 6,
    make: (pick) => ({
      family: 'recFilters',
      kind: 'recommendation',
      params: {
        dbcs: oneBody(pick),
        programmeName: pick.chance(0.6) ? pick.one(PROGRAMME_PHRASES) : undefined,
        tisStatus: pick.chance(0.6) ? pick.one(TIS_STATUS_CHOICES) : undefined,
        gmcStatus: pick.chance(0.4) ? pick.one(GMC_STATUS_CHOICES) : undefined,
        admin: pick.chance(0.3) ? pick.one(ADMINS) : undefined,
        sortColumn: pick.one(RECOMMENDATION_SORT_COLUMNS),
      },
    }),
  },
  ...deepPageFamilies('rec', (pick) => ({
    kind: 'recommendation',
    params: {
      dbcs: LONDON_BODIES.join(','),
      sortColumn: pick.one(RECOMMENDATION_SORT_COLUMNS),
      sortOrder: sortOrder(pick),
    },
  })),
  {
    name: 'recAllBodies',
    weight: 2,
    make: (pick) => ({
      family: 'recAllBodies',
      kind: 'recommendation',
      params: {
        sortColumn: pick.one(RECOMMENDATION_SORT_COLUMNS),
        sortOrder: sortOrder(pick),
        pageNumber: String(pick.chance(0.5) ? 0 : pick.int(1, 4000)),
        underNotice: pick.chance(0.3) ? 'true' : undefined,
      },
    }),
  },
  {
    name: 'connDefault',
    weight: 12,
    make: (pick) => ({
      family: 'connDefault',
      kind: 'connection',
      index: 'connected',
      params: { dbcs: oneBody(pick), pageNumber: String(pick.chance(0.8) ? 0 : pick.int(1, 5)) },
    }),
  },
  {
    name: 'connSort',
    weight: 8,
    make: (pick) => ({
      family: 'connSort',
      kind: 'connection',
      index: pick.one(CONNECTION_INDEXES_WITH_BODIES),
      params: {
        dbcs: oneBody(pick),
        sortColumn: pick.one(CONNECTION_SORT_COLUMNS),
        sortOrder: sortOrder(pick),
        pageNumber: String(pick.int(0, 5)),
      },
    }),
  },
  {
    name: 'connSearch',
    weight: 10,
    make: (pick) => ({
      family: 'connSearch',
      kind: 'connection',
      index: pick.one(CONNECTION_INDEXES_WITH_BODIES),
      params: { dbcs: oneBody(pick), searchQuery: searchText(pick) },
    }),
  },
  {
    name: 'connDates',
    weight: 6,
    make: (pick) => {
      const year = pick.int(2025, 2029);
      const month = String(pick.int(1, 9)).padStart(2, '0');
      const until = String(Number(month) + 3).padStart(2, '0');
      const params: ConnectionSearchParams = pick.chance(0.6)
        ? { membershipEndDateFrom: `${year}-${month}-01`, membershipEndDateTo: `${year}-${until}-28` }
        : { submissionDateFrom: `${year}-${month}-01`, submissionDateTo: `${year}-${until}-28` };
      return {
        family: 'connDates',
        kind: 'connection',
        index: pick.chance(0.7) ? 'connected' : 'exception',
        params: { dbcs: oneBody(pick), sortColumn: 'membershipEndDate', sortOrder: 'asc', ...params },
      };
    },
  },
  {
    name: 'connDiscrepancies',
    weight: 8,
    make: (pick) => {
      const body = oneBody(pick);
      return {
        family: 'connDiscrepancies',
        kind: 'connection',
        index: 'discrepancies',
        params: {
          dbcs: body,
          tisDesignatedBodies: body,
          programmeName: pick.chance(0.3) ? pick.one(PROGRAMME_PHRASES) : undefined,
          pageNumber: String(pick.int(0, 3)),
        },
      };
    },
  },
  ...deepPageFamilies('conn', (pick) => ({
    kind: 'connection',
    index: 'connected',
    params: {
      dbcs: pick.chance(0.7) ? LONDON_BODIES.join(',') : undefined,
      sortColumn: pick.one(['gmcReferenceNumber', 'doctorLastName', 'membershipEndDate', 'submissionDate']),
      sortOrder: sortOrder(pick),
    },
  })),
  {
    name: 'connDisconnected',
    weight: 2,
    make: (pick) => ({
      family: 'connDisconnected',
      kind: 'connection',
      index: 'disconnected',
      params: {
        tisDesignatedBodies: oneBody(pick),
        searchQuery: pick.chance(0.4) ? searchText(pick) : undefined,
      },
    }),
  },
];

/** The names of the families, in report order. */
export const FAMILY_NAMES = FAMILIES.map((family) => family.name);

/**
 * `count` requests drawn from the families by weight: half recommendation lists (one designated
 * body mostly, London's four or all for deep pages), half connection lists over the four indexes,
 * with every sort column, search prefixes, filters, date ranges and deep pages.
 */
export function buildWorkload(count: number, pick: Picker): QuerySpec[] {
  const totalWeight = FAMILIES.reduce((sum, family) => sum + family.weight, 0);
  return Array.from({ length: count }, () => chooseFamily(pick.next() * totalWeight).make(pick));
}

function chooseFamily(roll: number): Family {
  let rest = roll;
  for (const family of FAMILIES) {
    rest -= family.weight;
    if (rest < 0) return family;
  }
  const last = FAMILIES.at(-1);
  if (!last) throw new Error('buildWorkload: no query families');
  return last;
}
