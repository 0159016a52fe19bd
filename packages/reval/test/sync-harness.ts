import type { Outbox } from '@changeflow/outbox';
import { type Kysely, sql } from 'kysely';
import {
  DEFAULT_DESIGNATED_BODIES,
  type GmcDoctorInput,
  projectGmcNumbers,
  REVAL_INDEX_TABLES,
  type RevalDatabase,
  saveGmcDoctors,
  saveTrainees,
  type TraineeInput,
  untypedDb,
} from '../src/index.js';

export const gmcOf = (n: number) => String(6_000_000 + n);

/** `count` doctors from `from` on: each a trainee and a GMC doctor, in batches of 1000 per transaction. */
export async function seedDoctors(outbox: Outbox<RevalDatabase>, from: number, count: number): Promise<void> {
  for (let start = from; start < from + count; start += 1000) {
    const ids = Array.from({ length: Math.min(1000, from + count - start) }, (_, i) => start + i);
    const trainees: TraineeInput[] = ids.map((n) => ({
      tcsPersonId: n + 1,
      gmcReferenceNumber: gmcOf(n),
      firstName: `First${n}`,
      lastName: `Last${n}`,
      role: null,
      programmeMemberships: [
        {
          programmeName: `Programme ${n % 9}`,
          membershipType: n % 13 === 0 ? 'VISITOR' : 'SUBSTANTIVE',
          startDate: '2025-08-01',
          endDate: n % 5 === 0 ? '2026-01-31' : '2027-07-31',
          programmeOwner: DEFAULT_DESIGNATED_BODIES[n % 14]?.owner ?? null,
          curricula: [{ curriculumEndDate: '2027-07-31' }],
        },
      ],
      placements: [{ gradeId: n % 11 === 0 ? '279' : '300', startDate: '2025-08-01', endDate: '2027-07-31' }],
    }));
    const doctors: GmcDoctorInput[] = ids.map((n) => ({
      gmcReferenceNumber: gmcOf(n),
      doctorFirstName: `Gmc${n}`,
      doctorLastName: `Doctor${n}`,
      submissionDate: '2027-01-01',
      dateAdded: '2020-01-01',
      underNotice: n % 3 === 0 ? 'YES' : 'NO',
      sanction: null,
      designatedBodyCode: n % 7 === 0 ? null : (DEFAULT_DESIGNATED_BODIES[(n + 1) % 14]?.code ?? null),
      admin: null,
      existsInGmc: n % 17 !== 0,
      lastUpdatedDate: '2026-06-01',
    }));
    await outbox.transaction(async (trx, changes) => {
      await saveTrainees({ trx, changes }, trainees);
      await saveGmcDoctors({ trx, changes }, doctors);
    });
  }
}

/** Copies every index table of `from` into a new schema `to`, to compare against later. */
export async function copyIndexes<DB>(db: Kysely<DB>, from: string, to: string): Promise<void> {
  await sql`create schema ${sql.id(to)}`.execute(db);
  for (const table of REVAL_INDEX_TABLES) {
    await sql`create table ${sql.id(to, table)} as select * from ${sql.id(from, table)}`.execute(db);
  }
}

/**
 * Rows that differ between the same index in two schemas (as JSON, without the projection time),
 * at most `limit` per table and direction; empty when every index is equal. Compared in SQL, so
 * 20,000-row indexes compare in milliseconds.
 */
export async function indexDifferences<DB>(
  db: Kysely<DB>,
  actual: string,
  expected: string,
  limit = 5,
): Promise<Record<string, unknown[]>> {
  const differences: Record<string, unknown[]> = {};
  for (const table of REVAL_INDEX_TABLES) {
    const row = (schema: string) => sql`select to_jsonb(t) - 'projected_at' as doc from ${sql.id(schema, table)} t`;
    const { rows } = await sql<{ side: string; doc: unknown }>`
      (select 'unexpected' as side, doc from (${row(actual)} except ${row(expected)}) a limit ${limit})
      union all
      (select 'missing' as side, doc from (${row(expected)} except ${row(actual)}) b limit ${limit})`.execute(db);
    if (rows.length > 0) differences[table] = rows;
  }
  return differences;
}

/** A fresh projection of all the primary data into `schema` (already migrated and empty). */
export async function projectEverything(db: Kysely<RevalDatabase>, schema: string, today: string): Promise<void> {
  const { rows } = await sql<{ gmc: string }>`
    select gmc_reference_number as gmc from reval_object_gmc
    union select gmc_reference_number from reval_gmc_doctor
    union select gmc_reference_number from reval_connection_failure
    order by 1`.execute(db);
  const stores = {
    primaryDb: db,
    indexDb: untypedDb(db),
    indexSchema: schema,
    designatedBodies: DEFAULT_DESIGNATED_BODIES,
  };
  for (let start = 0; start < rows.length; start += 1000) {
    await projectGmcNumbers(
      stores,
      rows.slice(start, start + 1000).map((row) => row.gmc),
      today,
    );
  }
}
