import { useTestDatabase } from '@changeflow/test-support';
import { type Kysely, sql } from 'kysely';
import { afterAll, afterEach, beforeAll } from 'vitest';
import {
  type MasterDocument,
  migrateRevalIndex,
  type RevalIndexDatabase,
  type RevalIndexTable,
} from '../../src/index.js';

/** A test file's own index store: a schema beside the file's test schema, dropped when the file passes. */
export interface TestIndexStore {
  readonly db: Kysely<RevalIndexDatabase>;
  /** The index schema, e.g. `t_recommendations_1a2b3c4d_index`. */
  readonly schema: string;
}

/** Gives the calling test file a migrated index store of its own (kept for inspection after a failure). */
export function useTestIndexStore(label: string): () => TestIndexStore {
  const testDb = useTestDatabase<RevalIndexDatabase>(label);
  let current: TestIndexStore | undefined;
  let failed = false;
  beforeAll(async () => {
    const { db, schema } = testDb();
    current = { db, schema: `${schema}_index` };
    await migrateRevalIndex(db, current.schema);
  });
  afterEach((context) => {
    if (context.task.result?.state === 'fail') failed = true;
  });
  // Registered after useTestDatabase's, so it runs before that one closes the pool.
  afterAll(async () => {
    if (!current) return;
    if (failed) console.error(`kept index schema ${current.schema} for inspection`);
    else await sql`drop schema ${sql.id(current.schema)} cascade`.execute(current.db);
  });
  return () => {
    if (!current) throw new Error('useTestIndexStore: the store exists only inside tests and hooks');
    return current;
  };
}

/** A master document with plain defaults: in the GMC, connected to `1-AAA`, not under notice. */
export function masterDocument(fields: Partial<MasterDocument> & { gmcReferenceNumber: string }): MasterDocument {
  return {
    tcsPersonId: null,
    conflictingTcsPersonIds: [],
    doctorFirstName: 'Alex',
    doctorLastName: 'Doe',
    submissionDate: '2027-01-01',
    programmeName: 'General Practice',
    membershipType: 'SUBSTANTIVE',
    membershipStartDate: '2024-08-01',
    membershipEndDate: '2027-08-01',
    curriculumEndDate: '2027-08-01',
    programmeOwner: 'Kent, Surrey and Sussex',
    tcsDesignatedBody: '1-AAA',
    designatedBody: '1-AAA',
    placementGrade: '300',
    admin: null,
    underNotice: 'NO',
    existsInGmc: true,
    gmcStatus: null,
    tisStatus: 'NOT_STARTED',
    connectionStatus: 'Yes',
    exceptionReason: null,
    lastUpdatedDate: '2026-06-01',
    ...fields,
  };
}

/** Inserts documents straight into one index table, as the projection would have left them. */
export async function insertDocuments(
  store: TestIndexStore,
  table: RevalIndexTable,
  documents: readonly MasterDocument[],
): Promise<void> {
  if (documents.length === 0) return;
  await store.db
    .withSchema(store.schema)
    .insertInto(table)
    .values(
      documents.map((d) => ({
        gmc_reference_number: d.gmcReferenceNumber,
        tcs_person_id: d.tcsPersonId,
        conflicting_tcs_person_ids: d.conflictingTcsPersonIds,
        doctor_first_name: d.doctorFirstName,
        doctor_last_name: d.doctorLastName,
        submission_date: d.submissionDate,
        programme_name: d.programmeName,
        membership_type: d.membershipType,
        membership_start_date: d.membershipStartDate,
        membership_end_date: d.membershipEndDate,
        curriculum_end_date: d.curriculumEndDate,
        programme_owner: d.programmeOwner,
        tcs_designated_body: d.tcsDesignatedBody,
        designated_body: d.designatedBody,
        placement_grade: d.placementGrade,
        admin: d.admin,
        under_notice: d.underNotice,
        exists_in_gmc: d.existsInGmc,
        gmc_status: d.gmcStatus,
        tis_status: d.tisStatus,
        connection_status: d.connectionStatus,
        exception_reason: d.exceptionReason,
        last_updated_date: d.lastUpdatedDate,
      })),
    )
    .execute();
}

/** Empties every index table, so each test states its own documents. */
export async function clearIndexes(store: TestIndexStore): Promise<void> {
  const tables = ['master', 'recommendation', 'connected', 'disconnected', 'exception', 'discrepancies'] as const;
  for (const table of tables) await store.db.withSchema(store.schema).deleteFrom(table).execute();
}

/** GMC numbers of documents, in their order. */
export function gmcNumbers(documents: readonly MasterDocument[]): string[] {
  return documents.map((d) => d.gmcReferenceNumber);
}

/**
 * The order the queries promise, computed independently: by `field` in `order`, a missing value
 * counting as larger than any other (last ascending, first descending), then by each tie-break
 * ascending. The test database sorts text bytewise (C collation) and the fixtures are ASCII, so `<`
 * on strings agrees with it.
 */
export function expectedOrder(
  documents: readonly MasterDocument[],
  field: keyof MasterDocument,
  order: 'asc' | 'desc',
  tieBreaks: readonly (keyof MasterDocument)[],
): string[] {
  const ascending = (a: unknown, b: unknown): number => {
    if (a === b) return 0;
    if (a === null || a === undefined) return 1;
    if (b === null || b === undefined) return -1;
    return (a as string | number | boolean) < (b as string | number | boolean) ? -1 : 1;
  };
  const sorted = [...documents].sort((a, b) => {
    const first = ascending(a[field], b[field]);
    if (first !== 0) return order === 'desc' ? -first : first;
    for (const tie of tieBreaks) {
      const next = ascending(a[tie], b[tie]);
      if (next !== 0) return next;
    }
    return 0;
  });
  return gmcNumbers(sorted);
}
