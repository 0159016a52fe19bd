import { useTestDatabase } from '@changeflow/test-support';
import { type Kysely, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrateRevalIndex, REVAL_INDEX_TABLES } from '../src/index.js';

const testDb = useTestDatabase('index-migrations');

async function indexNames(db: Kysely<unknown>, indexSchema: string): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select indexname as name from pg_indexes where schemaname = ${indexSchema}`.execute(db);
  return rows.map((row) => row.name).sort();
}

describe('the index store migrations', () => {
  it('keep no index on TCS person ids, which no query reads and every projection would maintain', async () => {
    const { db, schema } = testDb();
    const indexSchema = `${schema}_index`;
    await migrateRevalIndex(db, indexSchema);
    const { rows } = await sql<{ table: string; definition: string }>`
      select tablename as table, indexdef as definition from pg_indexes where schemaname = ${indexSchema}`.execute(db);
    expect(new Set(rows.map((row) => row.table))).toEqual(new Set(REVAL_INDEX_TABLES));
    expect(rows.filter((row) => /tcs_person_id/.test(row.definition))).toEqual([]);
    // The listed tables keep their primary key, ordered, list, prefix and trigram indexes; master,
    // read by GMC number only, keeps its primary key alone.
    const counts = Object.fromEntries(
      REVAL_INDEX_TABLES.map((table) => [table, rows.filter((row) => row.table === table).length]),
    );
    expect(counts).toEqual({
      master: 1,
      recommendation: 10,
      connected: 12,
      disconnected: 12,
      exception: 12,
      discrepancies: 12,
    });
  });

  it('keep no index that no query reads: master has its primary key only, recommendation no TCS body or end date', async () => {
    const { db, schema } = testDb();
    const indexSchema = `${schema}_unread`;
    await migrateRevalIndex(db, indexSchema);
    const names = await indexNames(db, indexSchema);
    expect(names.filter((name) => name.startsWith('master_'))).toEqual(['master_pkey']);
    expect(names).not.toContain('recommendation_tcs_designated_body_idx');
    expect(names).not.toContain('recommendation_membership_end_date_idx');
    // The connection lists are filtered by either body and sorted by any field: theirs stay.
    expect(names).toContain('connected_tcs_designated_body_idx');
    expect(names).toContain('connected_membership_end_date_idx');
  });

  it('drop the unread indexes from a store built before', async () => {
    const { db, schema } = testDb();
    const indexSchema = `${schema}_drop_unread`;
    await migrateRevalIndex(db, indexSchema);
    const migrated = await indexNames(db, indexSchema);
    const master = sql.id(indexSchema, 'master');
    // Some of what 0001 and 0003 built before 0004: master indexed as the lists, recommendation by TCS body.
    await sql`create index master_designated_body_idx on ${master} (designated_body, doctor_last_name)`.execute(db);
    await sql`create index master_doctor_last_name_prefix_idx on ${master} (lower(doctor_last_name) text_pattern_ops)`.execute(
      db,
    );
    await sql`create index master_programme_name_trgm on ${master} using gin (lower(programme_name) public.gin_trgm_ops)`.execute(
      db,
    );
    await sql`create index recommendation_tcs_designated_body_idx on ${sql.id(indexSchema, 'recommendation')} (tcs_designated_body, doctor_last_name)`.execute(
      db,
    );
    expect(await indexNames(db, indexSchema)).toHaveLength(migrated.length + 4);
    await sql`delete from ${sql.table(`changeflow_${indexSchema}_migration`)} where name = '0004-drop-unread-indexes'`.execute(
      db,
    );
    await migrateRevalIndex(db, indexSchema);
    expect(await indexNames(db, indexSchema)).toEqual(migrated);
  });

  it('serve the prefix searches from btrees, and keep a trigram GIN only for the programme name', async () => {
    const { db, schema } = testDb();
    const indexSchema = `${schema}_prefix`;
    await migrateRevalIndex(db, indexSchema);
    const definitions = async () =>
      (
        await sql<{ name: string; definition: string }>`
          select indexname as name, indexdef as definition from pg_indexes
          where schemaname = ${indexSchema} and tablename = 'recommendation'`.execute(db)
      ).rows;
    const trigramColumns = (rows: { definition: string }[]) =>
      rows
        .filter((row) => /gin_trgm_ops/.test(row.definition))
        .map((row) => /lower\((\w+)\)/.exec(row.definition)?.[1]);
    expect(trigramColumns(await definitions())).toEqual(['programme_name']);
    for (const column of ['doctor_first_name', 'doctor_last_name', 'gmc_reference_number']) {
      expect(
        (await definitions()).find((row) => row.name === `recommendation_${column}_prefix_idx`)?.definition,
      ).toMatch(new RegExp(`btree \\(lower\\(${column}\\) text_pattern_ops\\)`));
    }

    // A one-letter prefix, bound as the queries bind it, is a range of the btree.
    await sql`insert into ${sql.id(indexSchema, 'recommendation')} (gmc_reference_number, doctor_last_name, exists_in_gmc, tis_status, connection_status)
      select (7000000 + g)::text, 'Name' || g, true, 'x', 'Yes' from generate_series(1, 2000) g`.execute(db);
    await sql`analyze ${sql.id(indexSchema, 'recommendation')}`.execute(db);
    const plan = await db.transaction().execute(async (conn) => {
      await sql`set local enable_seqscan = off`.execute(conn);
      const { rows } = await sql<{ 'QUERY PLAN': string }>`
        explain select gmc_reference_number from ${sql.id(indexSchema, 'recommendation')}
        where lower(doctor_last_name) like lower(${'n'}::text) || '%'`.execute(conn);
      return rows.map((row) => row['QUERY PLAN']).join('\n');
    });
    expect(plan).toMatch(/recommendation_doctor_last_name_prefix_idx/);
  });

  it('replace the trigram indexes of a store built before', async () => {
    const { db, schema } = testDb();
    const indexSchema = `${schema}_upgrade`;
    await migrateRevalIndex(db, indexSchema);
    // As 0001 built them before 0003: trigram GINs in place of the prefix btrees (master's too, until 0004).
    for (const table of REVAL_INDEX_TABLES) {
      await sql`drop index if exists ${sql.id(indexSchema, `${table}_doctor_last_name_prefix_idx`)}`.execute(db);
      await sql`create index ${sql.id(`${table}_doctor_last_name_trgm`)} on ${sql.id(indexSchema, table)} using gin (lower(doctor_last_name) public.gin_trgm_ops)`.execute(
        db,
      );
    }
    await sql`delete from ${sql.table(`changeflow_${indexSchema}_migration`)} where name in ('0003-prefix-btree-indexes', '0004-drop-unread-indexes')`.execute(
      db,
    );
    await migrateRevalIndex(db, indexSchema);
    const { rows } = await sql<{ name: string }>`
      select indexname as name from pg_indexes where schemaname = ${indexSchema}`.execute(db);
    const names = rows.map((row) => row.name);
    expect(names.filter((name) => name.endsWith('_doctor_last_name_trgm'))).toEqual([]);
    for (const table of REVAL_INDEX_TABLES.filter((name) => name !== 'master'))
      expect(names).toContain(`${table}_doctor_last_name_prefix_idx`);
    expect(names.filter((name) => name.startsWith('master_'))).toEqual(['master_pkey']);
  });
});
