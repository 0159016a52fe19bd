import { executePrepared } from '@changeflow/outbox';
import { type Insertable, type Kysely, sql } from 'kysely';
import { REVAL_INDEX_TABLES, type RevalIndexTable } from '../migrations/index-migrations.js';
import type { DerivedIndex, DesignatedBody, IsoDate, MasterDocument } from '../model.js';
import { buildMasterDocument, derivedIndexes } from '../rules/index.js';
import type { IndexDocumentTable, RevalDatabase } from '../store/schema.js';
import { loadSources } from './load-sources.js';

/** Where the projection reads and writes. */
export interface ProjectionStores {
  /** The primary data (repository-service's database). */
  primaryDb: Kysely<RevalDatabase>;
  /** The database of the index store; may be the same as `primaryDb`. */
  indexDb: Kysely<unknown>;
  /** The index store's schema. */
  indexSchema: string;
  designatedBodies: readonly DesignatedBody[];
  /**
   * Sends the index upserts as named prepared statements (default true); false behind a pooler that
   * cannot keep them, as the outbox's `preparedStatements`.
   */
  preparedStatements?: boolean;
}

/**
 * Recomputes the documents of the given GMC numbers from the current primary data and writes every
 * index in one transaction of the index store.
 *
 * G4: the transaction first takes a lock per GMC number (in sorted order, so two projections never
 * deadlock), and only then reads the primary data (in the same transaction when both stores are one
 * database, on `primaryDb` otherwise; read committed either way, so it sees the latest commits). A projection that writes later has therefore
 * read data at least as new as any that wrote before it, so duplicated or reordered deliveries
 * cannot leave an older state behind: the last write is always of the latest committed data.
 */
export async function projectGmcNumbers(
  stores: ProjectionStores,
  gmcNumbers: readonly string[],
  today: IsoDate,
): Promise<number> {
  const sorted = [...new Set(gmcNumbers)].sort();
  if (sorted.length === 0) return 0;
  return stores.indexDb.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtextextended('reval:' || gmc, 0)) from unnest(${sorted}::text[]) as gmc order by gmc`.execute(
      trx,
    );
    // One connection per projection: when the primary data and the indexes share a database (the
    // default), the sources are read inside this transaction, after its locks as G4 needs, rather
    // than on four more connections of the same pool. Otherwise a worker's concurrent projections
    // each held a connection idle in transaction while they queued for the rest of the pool, and a
    // pool no larger than the concurrency could wait on itself for good.
    const reader = sharesDatabase(stores) ? (trx as unknown as Kysely<RevalDatabase>) : stores.primaryDb;
    const sources = await loadSources(reader, sorted);
    const documents: Array<{ doc: MasterDocument; indexes: ReadonlySet<DerivedIndex> }> = [];
    for (const gmc of sorted) {
      const source = sources.get(gmc);
      const doc = source ? buildMasterDocument(source, { today, designatedBodies: stores.designatedBodies }) : null;
      if (doc) documents.push({ doc, indexes: new Set(derivedIndexes(doc, today)) });
    }
    const tables = REVAL_INDEX_TABLES.map((table) => ({
      table,
      rows: documents
        .filter(({ indexes }) => table === 'master' || indexes.has(table))
        .map(({ doc }) => toIndexRow(doc)),
    }));
    for (const { table, rows } of tables) await deleteLeavers(trx, stores.indexSchema, table, sorted, rows);
    await upsertRows(
      trx,
      stores,
      tables.filter(({ rows }) => rows.length > 0),
    );
    return documents.length;
  });
}

/**
 * Deletes from one index table the documents of `gmcNumbers` that are not among `rows` (those that
 * left it, or never were in it). When every document stays in the table (always so for `master` and
 * `recommendation`), no delete is sent: it could match nothing, and planning it against a listed
 * table's dozen indexes costs Postgres more than running it. Not prepared: a generic plan made while
 * a table is nearly empty (a seq scan) would be kept as it grows.
 */
async function deleteLeavers(
  db: Kysely<unknown>,
  schema: string,
  table: RevalIndexTable,
  gmcNumbers: readonly string[],
  rows: ReadonlyArray<Insertable<IndexDocumentTable>>,
): Promise<void> {
  const kept = rows.map((row) => row.gmc_reference_number);
  const staying = new Set(kept);
  if (gmcNumbers.every((gmc) => staying.has(gmc))) return;
  await sql`delete from ${sql.id(schema, table)}
    where gmc_reference_number = any(${gmcNumbers}::text[]) and gmc_reference_number <> all(${kept}::text[])`.execute(
    db,
  );
}

/**
 * Upserts every index table's rows in one statement, a data-modifying CTE per table, each table's
 * rows one JSON parameter (`json_populate_recordset` of the table's own row type) rather than a
 * `VALUES` list of some 25 parameters a row: one round trip, and a text that depends only on which
 * tables get rows, so Postgres plans it once per connection as a named prepared statement (no plan
 * to go stale: an insert from a function, its conflicts found by the primary key). A row that
 * differs is rewritten; an unchanged document (a duplicate delivery, a write that changed nothing
 * this index shows, a catch-up) is neither rewritten nor re-entered in the table's indexes: in a
 * listed table, with a dozen indexes, its new version would have cost a dozen index entries and
 * left a dead tuple behind. Such a row keeps its `projected_at`: when the document last changed, not
 * when it was last read.
 */
async function upsertRows(
  db: Kysely<unknown>,
  { indexSchema: schema, preparedStatements = true }: ProjectionStores,
  tables: ReadonlyArray<{ table: RevalIndexTable; rows: ReadonlyArray<Insertable<IndexDocumentTable>> }>,
): Promise<void> {
  if (tables.length === 0) return;
  const upserts = tables.map(({ table, rows }) => {
    const target = sql.id(schema, table);
    return sql`${sql.id(`${table}_upsert`)} as (insert into ${target} (gmc_reference_number, ${DOCUMENT_COLUMN_LIST}, projected_at)
    select gmc_reference_number, ${DOCUMENT_COLUMN_LIST}, now()
    from json_populate_recordset(null::${target}, ${JSON.stringify(rows)}::json)
    on conflict (gmc_reference_number) do update set ${UPDATE_FROM_EXCLUDED}, projected_at = now()
    where (${sql.join(DOCUMENT_COLUMNS.map((column) => sql.ref(`${table}.${column}`)))}) is distinct from (${EXCLUDED_COLUMNS}))`;
  });
  await executePrepared(db, sql`with ${sql.join(upserts)} select 1`.compile(db), preparedStatements);
}

/** The document's columns: every column of an index row but its key and `projected_at`. */
type DocumentColumn = Exclude<keyof IndexDocumentTable, 'gmc_reference_number' | 'projected_at'>;

/** A record rather than a list, so the compiler says when a column is added to the table and not here. */
const DOCUMENT_COLUMN_SET: Record<DocumentColumn, true> = {
  tcs_person_id: true,
  conflicting_tcs_person_ids: true,
  doctor_first_name: true,
  doctor_last_name: true,
  submission_date: true,
  programme_name: true,
  membership_type: true,
  membership_start_date: true,
  membership_end_date: true,
  curriculum_end_date: true,
  programme_owner: true,
  tcs_designated_body: true,
  designated_body: true,
  placement_grade: true,
  admin: true,
  under_notice: true,
  exists_in_gmc: true,
  gmc_status: true,
  tis_status: true,
  connection_status: true,
  exception_reason: true,
  last_updated_date: true,
};
const DOCUMENT_COLUMNS = Object.keys(DOCUMENT_COLUMN_SET) as DocumentColumn[];

const DOCUMENT_COLUMN_LIST = sql.join(DOCUMENT_COLUMNS.map((column) => sql.id(column)));
const EXCLUDED_COLUMNS = sql.join(DOCUMENT_COLUMNS.map((column) => sql.ref(`excluded.${column}`)));
/** `column = excluded.column` for each of {@link DOCUMENT_COLUMNS}. */
const UPDATE_FROM_EXCLUDED = sql.join(
  DOCUMENT_COLUMNS.map((column) => sql`${sql.id(column)} = excluded.${sql.id(column)}`),
);

/** Whether the index store is the primary database's own Kysely (one pool for both). */
function sharesDatabase(stores: ProjectionStores): boolean {
  return (stores.primaryDb as unknown) === stores.indexDb;
}

/** A master document as an index row. */
export function toIndexRow(doc: MasterDocument): Insertable<IndexDocumentTable> {
  return {
    gmc_reference_number: doc.gmcReferenceNumber,
    tcs_person_id: doc.tcsPersonId,
    conflicting_tcs_person_ids: doc.conflictingTcsPersonIds,
    doctor_first_name: doc.doctorFirstName,
    doctor_last_name: doc.doctorLastName,
    submission_date: doc.submissionDate,
    programme_name: doc.programmeName,
    membership_type: doc.membershipType,
    membership_start_date: doc.membershipStartDate,
    membership_end_date: doc.membershipEndDate,
    curriculum_end_date: doc.curriculumEndDate,
    programme_owner: doc.programmeOwner,
    tcs_designated_body: doc.tcsDesignatedBody,
    designated_body: doc.designatedBody,
    placement_grade: doc.placementGrade,
    admin: doc.admin,
    under_notice: doc.underNotice,
    exists_in_gmc: doc.existsInGmc,
    gmc_status: doc.gmcStatus,
    tis_status: doc.tisStatus,
    connection_status: doc.connectionStatus,
    exception_reason: doc.exceptionReason,
    last_updated_date: doc.lastUpdatedDate,
  };
}
