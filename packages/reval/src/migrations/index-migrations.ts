import { type Kysely, type Migration, type RawBuilder, sql } from 'kysely';

// Dates are `YYYY-MM-DD` text: they sort and compare as dates, and pg hands them back unchanged
// (a `date` column would come back as a JS Date at local midnight).

/** The reval indexes: `master` and the derived ones, each a table of master documents (REVAL.md). */
export const REVAL_INDEX_TABLES = [
  'master',
  'recommendation',
  'connected',
  'disconnected',
  'exception',
  'discrepancies',
] as const;
export type RevalIndexTable = (typeof REVAL_INDEX_TABLES)[number];

/**
 * The index store's migrations, for the schema `schema` (default `reval_index`; tests use one each).
 * Every index table has the master document's columns, with btree indexes for the sorts and filters
 * of the queries, `text_pattern_ops` btrees for the prefix searches and a trigram index for the
 * programme name, which is matched anywhere.
 */
export function revalIndexMigrations(schema: string): Record<string, Migration> {
  return {
    '0001-reval-index': {
      async up(db: Kysely<unknown>) {
        await createIndexTables(db, schema);
        await createSecondaryIndexes(db, schema);
      },
      async down(db: Kysely<unknown>) {
        await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
      },
    },
    // No query reads the index tables by TCS person id (src/queries filters and sorts by body,
    // names, dates and GMC number only), yet every projection kept a btree and a GIN on it per
    // table. A generation built by the sync no longer has them; this drops them from one built before.
    '0002-drop-person-id-indexes': {
      async up(db: Kysely<unknown>) {
        for (const name of REVAL_INDEX_TABLES) {
          for (const suffix of ['tcs_person_idx', 'conflicting_idx'])
            await sql`drop index if exists ${sql.id(schema, `${name}_${suffix}`)}`.execute(db);
        }
      },
      async down(db: Kysely<unknown>) {
        for (const name of REVAL_INDEX_TABLES) {
          const table = sql.id(schema, name);
          await sql`create index if not exists ${sql.id(`${name}_tcs_person_idx`)} on ${table} (tcs_person_id)`.execute(
            db,
          );
          await sql`create index if not exists ${sql.id(`${name}_conflicting_idx`)} on ${table} using gin (conflicting_tcs_person_ids)`.execute(
            db,
          );
        }
      },
    },
    // The searches match first name, last name and GMC number by prefix only (REVAL.md `searchQuery`),
    // which a btree on `lower(column) text_pattern_ops` serves for any prefix, one or two characters
    // included, where a trigram GIN needs three; and a btree costs each projected row far less to
    // maintain. Only `programme_name`, matched anywhere in the text, keeps its trigram GIN.
    '0003-prefix-btree-indexes': {
      async up(db: Kysely<unknown>) {
        for (const name of REVAL_INDEX_TABLES) {
          for (const column of PREFIX_COLUMNS) {
            await sql`drop index if exists ${sql.id(schema, `${name}_${column}_trgm`)}`.execute(db);
            await createPrefixIndex(db, schema, name, column);
          }
        }
      },
      async down(db: Kysely<unknown>) {
        const trigramOps = await ensureTrigramExtension(db);
        for (const name of REVAL_INDEX_TABLES) {
          for (const column of PREFIX_COLUMNS) {
            await sql`drop index if exists ${sql.id(schema, `${name}_${column}_prefix_idx`)}`.execute(db);
            await sql`create index if not exists ${sql.id(`${name}_${column}_trgm`)} on ${sql.id(schema, name)} using gin (lower(${sql.ref(column)}) ${trigramOps})`.execute(
              db,
            );
          }
        }
      },
    },
    // SECONDARY_INDEXES keeps only the indexes a query reads: this drops the others (master's eleven,
    // two of recommendation's) from a store built before, and recreates them on the way down.
    '0004-drop-unread-indexes': {
      async up(db: Kysely<unknown>) {
        for (const [name, kind] of unreadIndexes()) {
          for (const indexName of indexNames(name, kind))
            await sql`drop index if exists ${sql.id(schema, indexName)}`.execute(db);
        }
      },
      async down(db: Kysely<unknown>) {
        const trigramOps = await ensureTrigramExtension(db);
        for (const [name, kind] of unreadIndexes()) await createSecondaryIndex(db, schema, name, kind, trigramOps);
      },
    },
  };
}

/** The columns searched by prefix (`lower(column) like 'abc%'`). */
const PREFIX_COLUMNS = ['doctor_first_name', 'doctor_last_name', 'gmc_reference_number'] as const;

async function createPrefixIndex(
  db: Kysely<unknown>,
  schema: string,
  name: RevalIndexTable,
  column: (typeof PREFIX_COLUMNS)[number],
): Promise<void> {
  await sql`create index if not exists ${sql.id(`${name}_${column}_prefix_idx`)} on ${sql.id(schema, name)} (lower(${sql.ref(column)}) text_pattern_ops)`.execute(
    db,
  );
}

/**
 * The schema and its index tables with their primary keys only. The full sync creates a generation
 * this way, fills it, and only then adds {@link createSecondaryIndexes}: building an index once over
 * loaded rows is many times faster than maintaining a dozen of them row by row.
 */
export async function createIndexTables(db: Kysely<unknown>, schema: string): Promise<void> {
  await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
  for (const name of REVAL_INDEX_TABLES) {
    const table = sql.id(schema, name);
    // The primary key covers ORDERED_INCLUDE too: lists in GMC number order walk it without the heap.
    await sql`
      create table ${table} (
        gmc_reference_number         text not null,
        tcs_person_id                bigint,
        conflicting_tcs_person_ids   bigint[] not null default '{}',
        doctor_first_name            text,
        doctor_last_name             text,
        submission_date              text,
        programme_name               text,
        membership_type              text,
        membership_start_date        text,
        membership_end_date          text,
        curriculum_end_date          text,
        programme_owner              text,
        tcs_designated_body          text,
        designated_body              text,
        placement_grade              text,
        admin                        text,
        under_notice                 text,
        exists_in_gmc                boolean not null,
        gmc_status                   text,
        tis_status                   text not null,
        connection_status            text not null,
        exception_reason             text,
        last_updated_date            text,
        projected_at                 timestamptz not null default now(),
        primary key (gmc_reference_number) include (${ORDERED_INCLUDE})
      )`.execute(db);
  }
}

/**
 * Every kind of secondary index, by the suffix of its name (`prefix`: the three prefix btrees): a
 * connection table has them all.
 */
const CONNECTION_TABLE_INDEXES = [
  'designated_body_idx',
  'tcs_designated_body_idx',
  'submission_date_idx',
  'doctor_first_name_idx',
  'membership_end_date_idx',
  'doctor_last_name_idx',
  'prefix',
  'programme_name_trgm',
  'list_idx',
] as const;
type SecondaryIndex = (typeof CONNECTION_TABLE_INDEXES)[number];

/**
 * The secondary indexes of each table: only those a query in src/queries reads, since the projection
 * maintains every one of them for each document it writes.
 *
 * - `master` has none: the API reads it by GMC number only (the primary key) and the sync reads it
 *   whole. It had the listed tables' eleven until 0004, each paid for by every projected document.
 * - `recommendation` is filtered by GMC body only and sorted by submission date, names and GMC
 *   number, so it has no TCS-body or membership-end-date index.
 * - The connection tables are filtered by either body and sorted by any field.
 */
const SECONDARY_INDEXES: Record<RevalIndexTable, readonly SecondaryIndex[]> = {
  master: [],
  recommendation: [
    'designated_body_idx',
    'submission_date_idx',
    'doctor_first_name_idx',
    'doctor_last_name_idx',
    'prefix',
    'programme_name_trgm',
    'list_idx',
  ],
  connected: CONNECTION_TABLE_INDEXES,
  disconnected: CONNECTION_TABLE_INDEXES,
  exception: CONNECTION_TABLE_INDEXES,
  discrepancies: CONNECTION_TABLE_INDEXES,
};

/** The indexes of the widest table (a connection table's) that `name` does without, as [table, kind]. */
function unreadIndexes(): Array<[RevalIndexTable, SecondaryIndex]> {
  return REVAL_INDEX_TABLES.flatMap((name) =>
    CONNECTION_TABLE_INDEXES.filter((kind) => !SECONDARY_INDEXES[name].includes(kind)).map(
      (kind): [RevalIndexTable, SecondaryIndex] => [name, kind],
    ),
  );
}

/** The names of the indexes one kind creates on one table. */
function indexNames(name: RevalIndexTable, kind: SecondaryIndex): string[] {
  return kind === 'prefix' ? PREFIX_COLUMNS.map((column) => `${name}_${column}_prefix_idx`) : [`${name}_${kind}`];
}

/** Every index the queries need beyond the primary keys (the one home of their definitions). */
export async function createSecondaryIndexes(db: Kysely<unknown>, schema: string): Promise<void> {
  const trigramOps = await ensureTrigramExtension(db);
  for (const name of REVAL_INDEX_TABLES) {
    for (const kind of SECONDARY_INDEXES[name]) await createSecondaryIndex(db, schema, name, kind, trigramOps);
  }
}

async function createSecondaryIndex(
  db: Kysely<unknown>,
  schema: string,
  name: RevalIndexTable,
  kind: SecondaryIndex,
  trigramOps: RawBuilder<unknown>,
): Promise<void> {
  const table = sql.id(schema, name);
  const index = sql.id(`${name}_${kind}`);
  switch (kind) {
    case 'designated_body_idx':
    case 'tcs_designated_body_idx': {
      const column = kind === 'designated_body_idx' ? 'designated_body' : 'tcs_designated_body';
      await sql`create index if not exists ${index} on ${table} (${sql.ref(column)}, doctor_last_name)`.execute(db);
      return;
    }
    // In the lists' order (sort column, last name, GMC number), so a page deep into a large list
    // is a walk along the index, forwards or backwards, rather than a sort of the whole list.
    case 'submission_date_idx':
    case 'doctor_first_name_idx':
    case 'membership_end_date_idx': {
      const column = kind.slice(0, -'_idx'.length);
      await sql`create index if not exists ${index} on ${table} (${sql.ref(column)}, doctor_last_name, gmc_reference_number) include (${ORDERED_INCLUDE})`.execute(
        db,
      );
      return;
    }
    case 'doctor_last_name_idx':
      await sql`create index if not exists ${index} on ${table} (doctor_last_name, gmc_reference_number) include (${ORDERED_INCLUDE})`.execute(
        db,
      );
      return;
    case 'prefix':
      for (const column of PREFIX_COLUMNS) await createPrefixIndex(db, schema, name, column);
      return;
    case 'programme_name_trgm':
      await sql`create index if not exists ${index} on ${table} using gin (lower(programme_name) ${trigramOps})`.execute(
        db,
      );
      return;
    case 'list_idx': {
      const list = LIST_INDEXES[name];
      if (list) await sql`create index if not exists ${index} on ${table} ${list}`.execute(db);
      return;
    }
  }
}

/**
 * What the ordered indexes (and the primary key) carry besides their keys: the columns of the filters
 * a long list keeps (designated bodies, in the GMC, under notice), so an index-only scan can walk to a
 * deep page, skipping what the filters refuse, without reading the heap.
 */
const ORDERED_INCLUDE = sql`designated_body, tcs_designated_body, exists_in_gmc, under_notice`;

/**
 * Covering indexes for the list queries (`src/queries/`), one per table that is listed. A list first
 * finds its page's GMC numbers and its counts by an index-only scan of the selected designated
 * bodies' range of one of these (every column a filter, sort or count reads is in it), then fetches
 * just those documents. Without them, a list of one body read every one of its ~6,000 documents from
 * the heap, scattered over nearly every page of the table (100,000 doctors: ~2,800 pages per request
 * against ~110 here; see bench/src/reval-queries).
 *
 * - `recommendation`: keyed by body, then in the default order (`submissionDate` descending, last
 *   name, GMC number), so the default first page is the first 20 entries of the body's range; only
 *   doctors in the GMC, the only ones listed or counted.
 * - `connected`, `exception`, `discrepancies`: keyed by GMC body then GMC number, the default order.
 * - `disconnected`: keyed by TCS body (these doctors have no GMC body) then GMC number.
 */
const LIST_INDEXES: Partial<Record<RevalIndexTable, RawBuilder<unknown>>> = {
  recommendation: sql`
    (designated_body, submission_date desc, doctor_last_name, gmc_reference_number)
    include (doctor_first_name, under_notice, gmc_status, tis_status, admin, programme_name)
    where exists_in_gmc`,
  connected: connectionListIndex('designated_body'),
  exception: connectionListIndex('designated_body'),
  discrepancies: connectionListIndex('designated_body'),
  disconnected: connectionListIndex('tcs_designated_body'),
};

/** Keyed by one designated body column, including the other and what the connection filters read. */
function connectionListIndex(body: 'designated_body' | 'tcs_designated_body'): RawBuilder<unknown> {
  const otherBody = body === 'designated_body' ? 'tcs_designated_body' : 'designated_body';
  return sql`
    (${sql.ref(body)}, gmc_reference_number)
    include (${sql.ref(otherBody)}, doctor_first_name, doctor_last_name, programme_name, membership_end_date,
             submission_date)`;
}

/**
 * Creates pg_trgm once per database, in `public`, and returns its `gin_trgm_ops`, schema-qualified so
 * it resolves whatever the connection's search_path. Created in the current schema instead, the
 * extension would belong to whichever schema migrated first (a test file's) and vanish with it,
 * dropping every trigram index of every other index schema. The advisory lock serialises concurrent
 * first migrations (parallel test files), which would otherwise race on `create extension` and fail
 * with a unique violation; it is held until the migration's transaction ends.
 */
async function ensureTrigramExtension(db: Kysely<unknown>) {
  await sql`select pg_advisory_xact_lock(hashtext('changeflow: create extension pg_trgm'))`.execute(db);
  await sql`create extension if not exists pg_trgm with schema public`.execute(db);
  const { rows } = await sql<{ schema: string }>`
    select n.nspname as schema
    from pg_extension e join pg_namespace n on n.oid = e.extnamespace
    where e.extname = 'pg_trgm'`.execute(db);
  const extensionSchema = rows[0]?.schema ?? 'public';
  return sql.id(extensionSchema, 'gin_trgm_ops');
}
