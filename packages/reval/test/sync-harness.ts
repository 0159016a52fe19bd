import type { Outbox } from '@changeflow/outbox';
import { type Kysely, sql } from 'kysely';
import {
  DEFAULT_DESIGNATED_BODIES,
  type GmcDoctorInput,
  REVAL_INDEX_TABLES,
  type RevalDatabase,
  saveGmcDoctors,
  saveTrainees,
  type TraineeInput,
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
