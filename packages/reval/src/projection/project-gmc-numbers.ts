import { type Insertable, type Kysely, sql } from 'kysely';
import { REVAL_INDEX_TABLES } from '../migrations/index-migrations.js';
import type { DerivedIndex, DesignatedBody, IsoDate, MasterDocument } from '../model.js';
import { buildMasterDocument, derivedIndexes } from '../rules/index.js';
import type { IndexDocumentTable, RevalDatabase, RevalIndexDatabase } from '../store/schema.js';
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
    const index = trx.withSchema(stores.indexSchema) as unknown as Kysely<RevalIndexDatabase>;
    for (const table of REVAL_INDEX_TABLES) {
      await index.deleteFrom(table).where(sql<boolean>`gmc_reference_number = any(${sorted}::text[])`).execute();
      const rows = documents
        .filter(({ indexes }) => table === 'master' || indexes.has(table))
        .map(({ doc }) => toIndexRow(doc));
      if (rows.length > 0) await index.insertInto(table).values(rows).execute();
    }
    return documents.length;
  });
}

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
