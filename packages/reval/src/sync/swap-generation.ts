import { type Kysely, sql } from 'kysely';
import { dropSchema, retiredSchemaName, schemaExists } from './generation-schema.js';

/**
 * G7: makes the new generation live in one transaction — the live schema is renamed aside and the
 * generation takes its name — then drops the old one. Readers resolve `reval_index.<table>` either
 * before the commit (the old, complete generation) or after it (the new, complete one); Postgres
 * re-resolves a name whose relation was renamed or dropped while a query waited for its lock.
 * Idempotent: when the generation no longer exists, the swap already happened.
 */
export async function swapGeneration(
  indexDb: Kysely<unknown>,
  live: string,
  generation: string,
  jobId: string,
): Promise<'swapped' | 'already-swapped'> {
  const retired = retiredSchemaName(live, jobId);
  if (!(await schemaExists(indexDb, generation))) {
    await dropSchema(indexDb, retired);
    return 'already-swapped';
  }
  await indexDb.transaction().execute(async (trx) => {
    await sql`drop table if exists ${sql.id(generation, 'sync_membership')}`.execute(trx);
    await sql`alter schema ${sql.id(live)} rename to ${sql.id(retired)}`.execute(trx);
    await sql`alter schema ${sql.id(generation)} rename to ${sql.id(live)}`.execute(trx);
  });
  await dropSchema(indexDb, retired);
  return 'swapped';
}
