import { type Kysely, sql } from 'kysely';
import { DERIVED_INDEXES } from '../rules/index.js';

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
    for (const index of ['master', ...DERIVED_INDEXES]) await sql`analyze ${sql.id(generation, index)}`.execute(trx);
  });
  return counts;
}
