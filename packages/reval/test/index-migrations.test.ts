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
    // Every table keeps its primary key, ordered, list, prefix and trigram indexes: a dozen each.
    for (const table of REVAL_INDEX_TABLES)
      expect(rows.filter((row) => row.table === table).length, table).toBe(table === 'master' ? 11 : 12);
  });

  it('serve the prefix searches from btrees, and keep a trigram GIN only for the programme name', async () => {
    const { db, schema } = testDb();
    const indexSchema = `${schema}_prefix`;
    await migrateRevalIndex(db, indexSchema);
    const definitions = async () =>
      (
        await sql<{ name: string; definition: string }>`
          select indexname as name, indexdef as definition from pg_indexes
          where schemaname = ${indexSchema} and tablename = 'master'`.execute(db)
      ).rows;
    const trigramColumns = (rows: { definition: string }[]) =>
      rows
        .filter((row) => /gin_trgm_ops/.test(row.definition))
        .map((row) => /lower\((\w+)\)/.exec(row.definition)?.[1]);
    expect(trigramColumns(await definitions())).toEqual(['programme_name']);
    for (const column of ['doctor_first_name', 'doctor_last_name', 'gmc_reference_number']) {
      expect((await definitions()).find((row) => row.name === `master_${column}_prefix_idx`)?.definition).toMatch(
        new RegExp(`btree \\(lower\\(${column}\\) text_pattern_ops\\)`),
      );
    }

    // A one-letter prefix, bound as the queries bind it, is a range of the btree.
    await sql`insert into ${sql.id(indexSchema, 'master')} (gmc_reference_number, doctor_last_name, exists_in_gmc, tis_status, connection_status)
      select (7000000 + g)::text, 'Name' || g, true, 'x', 'Yes' from generate_series(1, 2000) g`.execute(db);
    await sql`analyze ${sql.id(indexSchema, 'master')}`.execute(db);
    const plan = await db.transaction().execute(async (conn) => {
      await sql`set local enable_seqscan = off`.execute(conn);
      const { rows } = await sql<{ 'QUERY PLAN': string }>`
        explain select gmc_reference_number from ${sql.id(indexSchema, 'master')}
        where lower(doctor_last_name) like lower(${'n'}::text) || '%'`.execute(conn);
      return rows.map((row) => row['QUERY PLAN']).join('\n');
    });
    expect(plan).toMatch(/master_doctor_last_name_prefix_idx/);
  });

  it('replace the trigram indexes of a store built before', async () => {
    const { db, schema } = testDb();
    const indexSchema = `${schema}_upgrade`;
    await migrateRevalIndex(db, indexSchema);
    // As 0001 built them before 0003: trigram GINs in place of the prefix btrees.
    for (const table of REVAL_INDEX_TABLES) {
      await sql`drop index ${sql.id(indexSchema, `${table}_doctor_last_name_prefix_idx`)}`.execute(db);
      await sql`create index ${sql.id(`${table}_doctor_last_name_trgm`)} on ${sql.id(indexSchema, table)} using gin (lower(doctor_last_name) public.gin_trgm_ops)`.execute(
        db,
      );
    }
    await sql`delete from ${sql.table(`changeflow_${indexSchema}_migration`)} where name = '0003-prefix-btree-indexes'`.execute(
      db,
    );
    await migrateRevalIndex(db, indexSchema);
    const { rows } = await sql<{ name: string }>`
      select indexname as name from pg_indexes where schemaname = ${indexSchema}`.execute(db);
    const names = rows.map((row) => row.name);
    expect(names.filter((name) => name.endsWith('_doctor_last_name_trgm'))).toEqual([]);
    for (const table of REVAL_INDEX_TABLES) expect(names).toContain(`${table}_doctor_last_name_prefix_idx`);
  });
});
