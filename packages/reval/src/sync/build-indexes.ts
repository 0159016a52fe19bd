import { type Kysely, sql } from 'kysely';
import { createSecondaryIndexes } from '../migrations/index-migrations.js';
import { DERIVED_INDEXES } from '../rules/index.js';

/** A rerun of this step after its commit finds the secondary indexes there already: drop them first. */
async function dropSecondaryIndexes(db: Kysely<unknown>, generation: string): Promise<void> {
  const { rows } = await sql<{ name: string }>`
    select indexname as name from pg_indexes where schemaname = ${generation} and indexname not like '%_pkey'`.execute(
    db,
  );
  for (const row of rows) await sql`drop index ${sql.id(generation, row.name)}`.execute(db);
}

/**
 * Rebuilds the generation's derived indexes from its `master`, set-based: one
 * `insert … select` per index, joined to the membership the rules computed in the master step (so
 * the rules keep one home, in TypeScript). Reruns start from empty tables. Returns rows per index.
 */
export async function buildDerivedIndexes(
  indexDb: Kysely<unknown>,
  generation: string,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  await indexDb.transaction().execute(async (trx) => {
    await dropSecondaryIndexes(trx, generation);
    for (const index of DERIVED_INDEXES) {
      const table = sql.id(generation, index);
      await sql`truncate ${table}`.execute(trx);
      const result = await sql`
        insert into ${table}
        select m.* from ${sql.id(generation, 'master')} m
        join ${sql.id(generation, 'sync_membership')} s using (gmc_reference_number)
        where ${index} = any(s.indexes)`.execute(trx);
      counts[index] = Number(result.numAffectedRows ?? 0);
    }
    // Built once over the loaded rows, with room to sort in memory, rather than row by row.
    await sql`set local maintenance_work_mem = '256MB'`.execute(trx);
    await createSecondaryIndexes(trx, generation);
    for (const index of ['master', ...DERIVED_INDEXES]) await sql`analyze ${sql.id(generation, index)}`.execute(trx);
  });
  return counts;
}
