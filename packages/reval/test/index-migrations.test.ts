import { useTestDatabase } from '@changeflow/test-support';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrateRevalIndex, REVAL_INDEX_TABLES } from '../src/index.js';

const testDb = useTestDatabase('index-migrations');

describe('the index store migrations', () => {
  it('keep no index on TCS person ids, which no query reads and every projection would maintain', async () => {
    const { db, schema } = testDb();
    const indexSchema = `${schema}_index`;
    await migrateRevalIndex(db, indexSchema);
    const { rows } = await sql<{ table: string; definition: string }>`
      select tablename as table, indexdef as definition from pg_indexes where schemaname = ${indexSchema}`.execute(db);
    expect(new Set(rows.map((row) => row.table))).toEqual(new Set(REVAL_INDEX_TABLES));
    expect(rows.filter((row) => /tcs_person_id/.test(row.definition))).toEqual([]);
    // Every table keeps its primary key, ordered, list and trigram indexes: a dozen each.
    for (const table of REVAL_INDEX_TABLES)
      expect(rows.filter((row) => row.table === table).length, table).toBe(table === 'master' ? 11 : 12);
  });
});
