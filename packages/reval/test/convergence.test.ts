import { type ChangeMessage, createOutbox, type RecordedChange, toChangeMessage } from '@changeflow/outbox';
import { testAwsClients, uniquePrefix, useTestDatabase } from '@changeflow/test-support';
import { type Kysely, sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createRevalIndexWorker,
  DEFAULT_DESIGNATED_BODIES,
  deleteRecord,
  migrateRevalIndex,
  migrateRevalPrimary,
  projectAllGmcNumbers,
  REVAL_INDEX_TABLES,
  type RevalDatabase,
  saveConnectionFailures,
  saveGmcDoctors,
  saveRecommendations,
  saveTrainees,
  type TraineeInput,
  untypedDb,
  type WriteContext,
} from '../src/index.js';

const testDb = useTestDatabase<RevalDatabase>('convergence', (db) => migrateRevalPrimary(db));
const aws = testAwsClients();
afterAll(() => aws.destroy());

const NOW = new Date('2026-06-15T12:00:00Z');
const TODAY = '2026-06-15';
const OWNERS = DEFAULT_DESIGNATED_BODIES.map((body) => body.owner);

/** A deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

function trainee(id: number, gmc: string, pick: () => number): TraineeInput {
  const start = pick() < 0.5 ? '2025-09-01' : '2026-06-15';
  return {
    tcsPersonId: id,
    gmcReferenceNumber: gmc,
    firstName: `First${id}`,
    lastName: `Last${id}`,
    role: pick() < 0.05 ? 'Dummy record' : 'Trainee',
    programmeMemberships: [
      {
        programmeName: `Programme ${id % 7}`,
        membershipType: pick() < 0.1 ? 'VISITOR' : pick() < 0.1 ? 'MILITARY' : 'SUBSTANTIVE',
        startDate: start,
        endDate: pick() < 0.2 ? '2026-06-14' : '2027-08-01',
        programmeOwner: OWNERS[Math.floor(pick() * OWNERS.length)] ?? null,
        curricula: [{ curriculumEndDate: '2027-08-01' }],
      },
    ],
    placements: [{ gradeId: pick() < 0.1 ? '279' : '300', startDate: '2025-09-01', endDate: '2027-01-01' }],
  };
}

async function indexRows(db: Kysely<RevalDatabase>, schema: string, table: string): Promise<unknown[]> {
  const { rows } = await sql<
    Record<string, unknown>
  >`select * from ${sql.id(schema, table)} order by gmc_reference_number`.execute(db);
  return rows.map(({ projected_at: _ignored, ...row }) => row);
}

describe('G4: convergence', () => {
  it('leaves every index equal to a fresh projection after duplicated, shuffled, concurrent deliveries', async () => {
    const { db, schema } = testDb();
    const live = `${schema}_live`;
    const fresh = `${schema}_fresh`;
    await migrateRevalIndex(db, live);
    await migrateRevalIndex(db, fresh);
    const outbox = createOutbox(
      { db, sns: aws.sns, logger: pino({ level: 'silent' }) },
      { topicPrefix: uniquePrefix('g4') },
    );
    const stores = {
      primaryDb: db,
      indexDb: untypedDb(db),
      indexSchema: live,
      designatedBodies: DEFAULT_DESIGNATED_BODIES,
    };
    const worker = createRevalIndexWorker(stores, { now: () => NOW });
    const pick = random(20261123);
    const recorded: RecordedChange[] = [];
    const write = async (fn: (context: WriteContext) => Promise<unknown>) => {
      await outbox.transaction(async (trx, changes) => {
        await fn({ trx, changes });
        recorded.push(...changes.recorded);
      });
    };
    const gmc = (n: number) => `${7_000_000 + n}`;

    // Round one: 120 trainees on 100 GMC numbers (some shared, a few invalid), doctors, recommendations, failures.
    await write((c) =>
      saveTrainees(
        c,
        Array.from({ length: 120 }, (_, i) => trainee(i + 1, i % 40 === 0 ? 'N/A' : gmc(i % 100), pick)),
      ),
    );
    await write((c) =>
      saveGmcDoctors(
        c,
        Array.from({ length: 90 }, (_, i) => ({
          gmcReferenceNumber: gmc(i + 5),
          doctorFirstName: `Gmc${i}`,
          doctorLastName: `Doctor${i}`,
          submissionDate: '2027-01-01',
          dateAdded: '2020-01-01',
          underNotice: pick() < 0.3 ? ('YES' as const) : ('NO' as const),
          sanction: null,
          designatedBodyCode: pick() < 0.8 ? (DEFAULT_DESIGNATED_BODIES[i % 14]?.code ?? null) : null,
          admin: null,
          existsInGmc: true,
          lastUpdatedDate: '2026-06-01',
        })),
      ),
    );
    await write((c) =>
      saveRecommendations(
        c,
        Array.from({ length: 80 }, (_, i) => ({
          id: `rec-${i}`,
          gmcReferenceNumber: gmc(i),
          type: 'REVALIDATE' as const,
          status: pick() < 0.3 ? 'READY_TO_REVIEW' : 'SUBMITTED',
          outcome: pick() < 0.5 ? ('APPROVED' as const) : ('UNDER_REVIEW' as const),
          gmcSubmissionDate: '2026-03-01',
          actualSubmissionDate: pick() < 0.5 ? '2026-03-01' : null,
          admin: 'officer@example.org',
        })),
      ),
    );
    await write((c) =>
      saveConnectionFailures(
        c,
        Array.from({ length: 10 }, (_, i) => ({
          gmcReferenceNumber: gmc(i * 3),
          reason: 'Missing / Invalid Change Code (Reason)',
        })),
      ),
    );
    const early = [...recorded];

    // Round two: GMC numbers move between trainees, deletions, disconnections, failures cleared.
    await write((c) =>
      saveTrainees(
        c,
        Array.from({ length: 30 }, (_, i) => trainee(i + 1, gmc(100 + i), pick)),
      ),
    );
    await write(async (c) => {
      for (let i = 40; i < 50; i += 1) await deleteRecord(c, 'trainee', String(i));
      for (let i = 0; i < 5; i += 1) await deleteRecord(c, 'recommendation', `rec-${i}`);
      await deleteRecord(c, 'gmc-doctor', gmc(60));
    });
    await write((c) =>
      saveGmcDoctors(
        c,
        Array.from({ length: 10 }, (_, i) => ({
          gmcReferenceNumber: gmc(i + 5),
          doctorFirstName: 'Moved',
          doctorLastName: 'Away',
          submissionDate: null,
          dateAdded: null,
          underNotice: null,
          sanction: null,
          designatedBodyCode: null,
          admin: null,
          existsInGmc: false,
          lastUpdatedDate: '2026-06-14',
        })),
      ),
    );
    await write((c) =>
      saveConnectionFailures(c, [
        { gmcReferenceNumber: gmc(0), reason: null },
        { gmcReferenceNumber: gmc(1), reason: 'Doctor not found' },
      ]),
    );
    await outbox.flush();

    // Deliver: early changes again (stale by now), then every change one to three times, shuffled,
    // in messages of 1-20 changes, eight at a time.
    const messages: ChangeMessage[][] = [];
    const deliveries = [
      ...early,
      ...recorded.flatMap((change) => Array.from({ length: 1 + Math.floor(pick() * 3) }, () => change)),
    ];
    const shuffled = deliveries
      .map((change) => ({ change, key: pick() }))
      .sort((a, b) => a.key - b.key)
      .map(({ change }) => toChangeMessage(change));
    while (shuffled.length > 0) messages.push(shuffled.splice(0, 1 + Math.floor(pick() * 20)));
    const logger = pino({ level: 'silent' });
    const queue = [...messages];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          await worker.handle(next, {
            logger,
            signal: new AbortController().signal,
            attempt: 1,
            messageId: 'm',
            worker: 'reval-index',
          });
        }
      }),
    );

    // A fresh projection of every GMC number the primary data knows, into an empty schema.
    await projectAllGmcNumbers(db, fresh, TODAY);

    for (const table of REVAL_INDEX_TABLES) {
      const expected = await indexRows(db, fresh, table);
      expect(await indexRows(db, live, table), `index ${table}`).toEqual(expected);
    }
    // The scenario is not vacuous: every index has documents, and the moves and deletions happened.
    for (const table of REVAL_INDEX_TABLES)
      expect((await indexRows(db, fresh, table)).length, table).toBeGreaterThan(0);
    expect(messages.length).toBeGreaterThan(20);
    await outbox.flush();
  });
});
