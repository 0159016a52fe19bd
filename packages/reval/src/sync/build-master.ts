import { type Kysely, sql } from 'kysely';
import type { DesignatedBody, IsoDate } from '../model.js';
import { loadSources } from '../projection/load-sources.js';
import { toIndexRow } from '../projection/project-gmc-numbers.js';
import { buildMasterDocument, derivedIndexes } from '../rules/index.js';
import type { RevalDatabase, RevalIndexDatabase } from '../store/schema.js';

/** GMC numbers per batch: four reads and two multi-row inserts each. */
const DEFAULT_BUILD_BATCH_SIZE = 1000;

export interface BuildMasterResult {
  /** The primary data's snapshot the generation reflects (`pg_current_snapshot()` as text). */
  snapshot: string;
  gmcNumbers: number;
  documents: number;
}

/**
 * Builds the new generation's `master` from the primary data as of one snapshot, with the same
 * rules (and code) as the index worker, and notes each document's derived indexes in
 * `sync_membership` for the next step. Reads run in one REPEATABLE READ transaction, so the
 * generation reflects exactly the changes visible in `snapshot`; the swap then catches up the rest.
 */
export async function buildMaster(
  stores: { primaryDb: Kysely<RevalDatabase>; indexDb: Kysely<unknown> },
  generation: string,
  options: {
    today: IsoDate;
    designatedBodies: readonly DesignatedBody[];
    onProgress?: (done: number, total: number) => Promise<void>;
    /** GMC numbers read and written per batch. @defaultValue `DEFAULT_BUILD_BATCH_SIZE` (1000) */
    batchSize?: number;
  },
): Promise<BuildMasterResult> {
  const target = stores.indexDb.withSchema(generation) as unknown as Kysely<
    RevalIndexDatabase & { sync_membership: { gmc_reference_number: string; indexes: string[] } }
  >;
  return stores.primaryDb
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      const { rows: snap } = await sql<{ snapshot: string }>`select pg_current_snapshot()::text as snapshot`.execute(
        trx,
      );
      const snapshot = snap[0]?.snapshot ?? '';
      const { rows } = await sql<{ gmc: string }>`
        select gmc_reference_number as gmc from reval_trainee where deleted_at is null and gmc_reference_number is not null
        union select gmc_reference_number from reval_gmc_doctor where deleted_at is null
        order by 1`.execute(trx);
      const gmcNumbers = rows.map((row) => row.gmc);
      const batchSize = options.batchSize ?? DEFAULT_BUILD_BATCH_SIZE;
      let documents = 0;
      for (let start = 0; start < gmcNumbers.length; start += batchSize) {
        const batch = gmcNumbers.slice(start, start + batchSize);
        const sources = await loadSources(trx, batch);
        const masters = [];
        const memberships = [];
        for (const source of sources.values()) {
          const doc = buildMasterDocument(source, options);
          if (!doc) continue;
          masters.push(toIndexRow(doc));
          memberships.push({
            gmc_reference_number: doc.gmcReferenceNumber,
            indexes: derivedIndexes(doc, options.today),
          });
        }
        if (masters.length > 0) {
          await target.insertInto('master').values(masters).execute();
          await target.insertInto('sync_membership').values(memberships).execute();
        }
        documents += masters.length;
        await options.onProgress?.(Math.min(start + batchSize, gmcNumbers.length), gmcNumbers.length);
      }
      return { snapshot, gmcNumbers: gmcNumbers.length, documents };
    });
}
