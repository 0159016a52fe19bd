import { REVAL_INDEX_TABLES, type RevalIndexTable } from '../migrations/index-migrations.js';
import type { MasterDocument } from '../model.js';
import { DOCUMENT_SELECTION, type IndexReader, toMasterDocument } from './index-document.js';

/** One doctor's document as each index holds it; an index the doctor is not in is absent. */
export type DoctorInIndexes = Partial<Record<RevalIndexTable, MasterDocument>>;

/**
 * The document of one GMC number in every reval index (master, recommendation, connected,
 * disconnected, exception, discrepancies): where a doctor shows up, and with which fields.
 */
export async function findDoctorInIndexes(reader: IndexReader, gmcReferenceNumber: string): Promise<DoctorInIndexes> {
  const found = await Promise.all(
    REVAL_INDEX_TABLES.map(async (table) => {
      const row = await reader
        .selectFrom(table)
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
