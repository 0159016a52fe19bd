import type { Kysely } from 'kysely';
import { REVAL_INDEX_TABLES, type RevalIndexTable } from '../migrations/index-migrations.js';
import type { MasterDocument } from '../model.js';
import type { RevalIndexDatabase } from '../store/schema.js';
import { DOCUMENT_SELECTION, selectFromIndex, toMasterDocument } from './index-document.js';

/** One doctor's document as each index holds it; an index the doctor is not in is absent. */
export type DoctorInIndexes = Partial<Record<RevalIndexTable, MasterDocument>>;

/**
 * The document of one GMC number in every reval index (master, recommendation, connected,
 * disconnected, exception, discrepancies): where a doctor shows up, and with which fields.
 */
export async function findDoctorInIndexes(
  db: Kysely<RevalIndexDatabase>,
  schema: string,
  gmcReferenceNumber: string,
): Promise<DoctorInIndexes> {
  const found = await Promise.all(
    REVAL_INDEX_TABLES.map(async (table) => {
      const row = await selectFromIndex(db, schema, table)
        .select(DOCUMENT_SELECTION)
        .where('doc.gmc_reference_number', '=', gmcReferenceNumber)
        .executeTakeFirst();
      return [table, row ? toMasterDocument(row) : undefined] as const;
    }),
  );
  const answer: DoctorInIndexes = {};
  for (const [table, document] of found) if (document) answer[table] = document;
  return answer;
}
