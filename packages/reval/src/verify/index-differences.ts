import { type Kysely, sql } from 'kysely';
import { DEFAULT_DESIGNATED_BODIES } from '../designated-bodies.js';
import { REVAL_INDEX_TABLES, type RevalIndexTable } from '../migrations/index-migrations.js';
import type { DesignatedBody, IsoDate } from '../model.js';
import { projectGmcNumbers } from '../projection/project-gmc-numbers.js';
import { type RevalDatabase, untypedDb } from '../store/schema.js';

/** GMC numbers projected per transaction by {@link projectAllGmcNumbers}. */
const PROJECTION_BATCH = 1_000;

/** One row that is in one index store and not in the other (as JSON, without `projected_at`). */
export interface IndexDifference {
  /** `unexpected`: in the actual store only; `missing`: in the expected store only. */
  readonly side: 'unexpected' | 'missing';
  readonly doc: Record<string, unknown>;
}

/**
 * A fresh projection of all the primary data in `db` into `indexSchema` (migrated and empty): every
 * GMC number any primary table knows, in batches, through the same {@link projectGmcNumbers} the
 * worker runs. What every live index must equal once the changes have been handled (G4).
 *
 * @example
 * await migrateRevalIndex(db, 'fresh_index');
 * await projectAllGmcNumbers(db, 'fresh_index', londonToday());
 * const differences = await indexDifferences(db, 'reval_index', 'fresh_index');
 */
export async function projectAllGmcNumbers(
  db: Kysely<RevalDatabase>,
  indexSchema: string,
  today: IsoDate,
  designatedBodies: readonly DesignatedBody[] = DEFAULT_DESIGNATED_BODIES,
): Promise<number> {
  const { rows } = await sql<{ gmc: string }>`
    select gmc_reference_number as gmc from reval_object_gmc
    union select gmc_reference_number from reval_gmc_doctor
    union select gmc_reference_number from reval_connection_failure
    order by 1`.execute(db);
  const stores = { primaryDb: db, indexDb: untypedDb(db), indexSchema, designatedBodies };
  let documents = 0;
  for (let start = 0; start < rows.length; start += PROJECTION_BATCH) {
    const batch = rows.slice(start, start + PROJECTION_BATCH).map((row) => row.gmc);
    documents += await projectGmcNumbers(stores, batch, today);
  }
  return documents;
}

/**
 * The rows that differ between the same index table in two schemas, at most `limit` per table and
 * side; an empty object when every index is equal. Compared in SQL (`except` both ways on the rows as
 * JSON), so indexes of 100,000 rows compare in well under a second.
 */
export async function indexDifferences<DB>(
  db: Kysely<DB>,
  actualSchema: string,
  expectedSchema: string,
  limit = 5,
): Promise<Partial<Record<RevalIndexTable, IndexDifference[]>>> {
  const differences: Partial<Record<RevalIndexTable, IndexDifference[]>> = {};
  for (const table of REVAL_INDEX_TABLES) {
    const row = (schema: string) => sql`select to_jsonb(t) - 'projected_at' as doc from ${sql.id(schema, table)} t`;
    const { rows } = await sql<IndexDifference>`
      (select 'unexpected' as side, doc from (${row(actualSchema)} except ${row(expectedSchema)}) a limit ${limit})
      union all
      (select 'missing' as side, doc from (${row(expectedSchema)} except ${row(actualSchema)}) b limit ${limit})`.execute(
      db,
    );
    if (rows.length > 0) differences[table] = rows;
  }
  return differences;
}
