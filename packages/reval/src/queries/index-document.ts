import type { Kysely, Selectable } from 'kysely';
import type { RevalIndexTable } from '../migrations/index-migrations.js';
import type { GmcStatus, MasterDocument, TisStatus, UnderNotice } from '../model.js';
import type { IndexDocumentTable, RevalIndexDatabase } from '../store/schema.js';

/** The column of each master-document field (the API is camelCase, the tables snake_case). */
export const DOCUMENT_COLUMNS = {
  gmcReferenceNumber: 'gmc_reference_number',
  tcsPersonId: 'tcs_person_id',
  conflictingTcsPersonIds: 'conflicting_tcs_person_ids',
  doctorFirstName: 'doctor_first_name',
  doctorLastName: 'doctor_last_name',
  submissionDate: 'submission_date',
  programmeName: 'programme_name',
  membershipType: 'membership_type',
  membershipStartDate: 'membership_start_date',
  membershipEndDate: 'membership_end_date',
  curriculumEndDate: 'curriculum_end_date',
  programmeOwner: 'programme_owner',
  tcsDesignatedBody: 'tcs_designated_body',
  designatedBody: 'designated_body',
  placementGrade: 'placement_grade',
  admin: 'admin',
  underNotice: 'under_notice',
  existsInGmc: 'exists_in_gmc',
  gmcStatus: 'gmc_status',
  tisStatus: 'tis_status',
  connectionStatus: 'connection_status',
  exceptionReason: 'exception_reason',
  lastUpdatedDate: 'last_updated_date',
} as const satisfies { [K in keyof MasterDocument]: keyof IndexDocumentTable };

/** Every column a query returns: the document's, not the store's bookkeeping (`projected_at`). */
export const DOCUMENT_SELECTION = Object.values(DOCUMENT_COLUMNS);

/** One index row as a query selects it. */
export type IndexDocumentRow = Omit<Selectable<IndexDocumentTable>, 'projected_at'>;

/** What a query over one index table sees: the table under the alias `doc`. */
export type DocumentQueryDatabase = RevalIndexDatabase & { doc: IndexDocumentTable };

/**
 * One index store, bound once to its Kysely and its schema: what every query builder here reads
 * through, instead of taking `(db, schema)`. `createRevalQueries` makes it at the composition root.
 *
 * @example
 * const reader = createIndexReader(indexDb, 'reval_index');
 * const row = await reader.selectFrom('master').select(DOCUMENT_SELECTION).executeTakeFirst();
 */
export function createIndexReader(db: Kysely<RevalIndexDatabase>, schema: string) {
  const scoped = db.withSchema(schema).withTables<{ doc: IndexDocumentTable }>();
  return {
    /**
     * Starts a select from one index table, aliased `doc`. Every index table has the same columns
     * (`IndexDocumentTable`), so one alias types the filters and sorts of all of them.
     */
    selectFrom(table: RevalIndexTable) {
      // The string names the real table; the type names the alias that `withTables` declared.
      return scoped.selectFrom(`${table} as doc` as 'doc');
    },
  };
}

/** An index store bound to its schema (see {@link createIndexReader}). */
export type IndexReader = ReturnType<typeof createIndexReader>;

/**
 * A selected row as the API's master document (camelCase). pg returns `bigint` as text; person ids
 * are far below 2^53, so they become numbers. The status columns hold only the values the projection
 * writes (REVAL.md), so they are typed as such.
 */
export function toMasterDocument(row: IndexDocumentRow): MasterDocument {
  return {
    gmcReferenceNumber: row.gmc_reference_number,
    tcsPersonId: row.tcs_person_id === null ? null : Number(row.tcs_person_id),
    conflictingTcsPersonIds: row.conflicting_tcs_person_ids.map(Number),
    doctorFirstName: row.doctor_first_name,
    doctorLastName: row.doctor_last_name,
    submissionDate: row.submission_date,
    programmeName: row.programme_name,
    membershipType: row.membership_type,
    membershipStartDate: row.membership_start_date,
    membershipEndDate: row.membership_end_date,
    curriculumEndDate: row.curriculum_end_date,
    programmeOwner: row.programme_owner,
    tcsDesignatedBody: row.tcs_designated_body,
    designatedBody: row.designated_body,
    placementGrade: row.placement_grade,
    admin: row.admin,
    underNotice: row.under_notice as UnderNotice | null,
    existsInGmc: row.exists_in_gmc,
    gmcStatus: row.gmc_status as GmcStatus | null,
    tisStatus: row.tis_status as TisStatus,
    connectionStatus: row.connection_status === 'Yes' ? 'Yes' : 'No',
    exceptionReason: row.exception_reason,
    lastUpdatedDate: row.last_updated_date,
  };
}
