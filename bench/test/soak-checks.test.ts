import { type ChangeRecorder, type OutboxDatabase, recordChanges, recordWrite } from '@changeflow/outbox';
import {
  connectionFailureInputSchema,
  gmcDoctorInputSchema,
  migrateRevalIndex,
  migrateRevalPrimary,
  projectAllGmcNumbers,
  projectGmcNumbers,
  type RevalDatabase,
  recommendationInputSchema,
  saveGmcDoctors,
  traineeInputSchema,
  untypedDb,
} from '@changeflow/reval';
import { useTestDatabase } from '@changeflow/test-support';
import { type Kysely, sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { compareWithFreshProjection, lostAcknowledgedWrites, unpublishedChanges } from '../src/soak/checks.js';
import { emptyFaultStats } from '../src/soak/fault-injector.js';
import { curePoison, POISON_MESSAGE, POISONED_GMC_NUMBER, poisonDoctor } from '../src/soak/poison.js';
import { formatSoakReport, type SoakOutcome, soakFailures } from '../src/soak/soak-report.js';
import { emptyStats, randomWrite, seededRandom } from '../src/soak/write-load.js';

const testDb = useTestDatabase<RevalDatabase>('soak-checks', (db) => migrateRevalPrimary(db));
const TODAY = '2026-06-15';

afterAll(async () => {
  const { db, schema } = testDb();
  for (const suffix of ['_live', '_fresh'])
    await sql`drop schema if exists ${sql.id(schema + suffix)} cascade`.execute(db);
});

/** Saves GMC doctors in one transaction, each with its change, as the repository-service does. */
async function saveDoctors(db: Kysely<RevalDatabase>, gmcNumbers: readonly string[]): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    const recorded: Awaited<ReturnType<ChangeRecorder['record']>> = [];
    const changes: ChangeRecorder = {
      async record(input) {
        const done = await recordChanges(trx as unknown as Kysely<OutboxDatabase>, input);
        recorded.push(...done);
        return done;
      },
      async recordWrite(write, change) {
        const done = await recordWrite(trx as unknown as Kysely<OutboxDatabase>, write, change);
        recorded.push(...done.changes);
        return done;
      },
      recorded,
    };
    await saveGmcDoctors(
      { trx, changes },
      gmcNumbers.map((gmc) => ({
        gmcReferenceNumber: gmc,
        doctorFirstName: 'First',
        doctorLastName: `Doctor${gmc}`,
        submissionDate: '2027-01-01',
        dateAdded: null,
        underNotice: 'YES',
        sanction: null,
        designatedBodyCode: '1-1RUZUSF',
        admin: null,
        existsInGmc: true,
        lastUpdatedDate: null,
      })),
    );
    return recorded.map((change) => change.changeNumber);
  });
}

function passingOutcome(): SoakOutcome {
  const quiet = { backlog: { unpublishedChanges: 0, queued: {}, deadLettered: {} }, timedOut: false, waitedMs: 1 };
  return {
    seed: 1,
    minutes: 1,
    writes: emptyStats(),
    faults: emptyFaultStats(),
    unexpectedExits: [],
    settled: quiet,
    committedChanges: 10,
    auditMessages: 4,
    unpublished: [],
    publishedUncommitted: [],
    lostAcknowledged: [],
    deadLetters: [
      { queue: 'q-dlq', messageId: 'm1', objects: [`gmc-doctor/${POISONED_GMC_NUMBER}`], changeNumbers: ['7'] },
    ],
    poisonReason: `error: ${POISON_MESSAGE}: …`,
    replay: { code: 0, moved: 1 },
    replayed: quiet,
    deadLettersAfterReplay: 0,
    divergence: { freshDocuments: 3, gmcNumbers: [], differences: {} },
  };
}

describe('the soak checks', () => {
  it('name every GMC number whose documents differ from a fresh projection', async () => {
    const { db, schema } = testDb();
    await saveDoctors(db, ['7100001', '7100002', '7100003']);
    const live = `${schema}_live`;
    await migrateRevalIndex(db, live);
    await projectAllGmcNumbers(db, live, TODAY);
    expect((await compareWithFreshProjection(db, live, `${schema}_fresh`, TODAY)).gmcNumbers).toEqual([]);

    await sql`update ${sql.id(live, 'master')} set doctor_last_name = 'Stale' where gmc_reference_number = '7100001'`.execute(
      db,
    );
    await sql`delete from ${sql.id(live, 'connected')} where gmc_reference_number = '7100003'`.execute(db);
    const divergence = await compareWithFreshProjection(db, live, `${schema}_fresh`, TODAY);

    expect(divergence.gmcNumbers).toEqual(['7100001', '7100003']);
    expect(divergence.differences.connected).toEqual([
      { side: 'missing', doc: expect.objectContaining({ gmc_reference_number: '7100003' }) },
    ]);
  });

  it('find committed changes never seen published, published ones never committed, and acknowledged ones not recorded', async () => {
    const { db } = testDb();
    const [first, second, third] = await saveDoctors(db, ['7200001', '7200002', '7200003']);
    const seen = new Set([first, third, '987654320'].filter((n): n is string => n !== undefined));

    const audit = await unpublishedChanges(db, seen);
    expect(audit.missing).toContain(second);
    expect(audit.missing).not.toContain(first);
    expect(audit.uncommitted).toEqual(['987654320']);
    expect(await lostAcknowledgedWrites(db, [first ?? '', '987654321'])).toEqual(['987654321']);
  });

  it('poison only the poisoned doctor until the fix', async () => {
    const { db, schema } = testDb();
    await saveDoctors(db, [POISONED_GMC_NUMBER, '7300001']);
    const index = `${schema}_live`;
    await migrateRevalIndex(db, index);
    const stores = { primaryDb: db, indexDb: untypedDb(db), indexSchema: index, designatedBodies: [] };
    await poisonDoctor(db, index);

    await expect(projectGmcNumbers(stores, [POISONED_GMC_NUMBER], TODAY)).rejects.toThrow(POISON_MESSAGE);
    await expect(projectGmcNumbers(stores, ['7300001'], TODAY)).resolves.toBe(1);
    await curePoison(db, index);
    await expect(projectGmcNumbers(stores, [POISONED_GMC_NUMBER], TODAY)).resolves.toBe(1);
  });
});

describe('the soak verdict', () => {
  it('passes when nothing was lost or diverged and only the poison was dead-lettered, then replayed', () => {
    const outcome = passingOutcome();
    expect(soakFailures(outcome)).toEqual([]);
    const lines = formatSoakReport(outcome, []);
    expect(lines[0]).toMatch(/^soak PASSED/);
    expect(JSON.parse(lines.at(-1) ?? '')).toMatchObject({ soak: 'passed', lost: 0, divergent: 0 });
  });

  it('counts every fault kind, the SNS/SQS process killed and restarted among them', () => {
    const outcome = passingOutcome();
    outcome.faults.injected['kill-sns-sqs'] = 2;
    outcome.faults.injected['sns-sqs-outage'] = 1;
    const lines = formatSoakReport(outcome, []);
    expect(lines.find((line) => line.trimStart().startsWith('faults'))).toMatch(/3 \(.*kill-sns-sqs 2/);
    expect(JSON.parse(lines.at(-1) ?? '')).toMatchObject({
      faults: 3,
      'fault:kill-sns-sqs': 2,
      'fault:sns-sqs-outage': 1,
    });
  });

  it('fails loudly, naming the objects, on a divergence, a lost change or a stray dead letter', () => {
    const outcome: SoakOutcome = {
      ...passingOutcome(),
      unpublished: ['42'],
      publishedUncommitted: ['43'],
      divergence: { freshDocuments: 3, gmcNumbers: ['7000017'], differences: { master: [] } },
      deadLetters: [
        ...passingOutcome().deadLetters,
        { queue: 'q-dlq', messageId: 'm2', objects: ['trainee/18'], changeNumbers: ['9'] },
      ],
    };
    const failures = soakFailures(outcome);

    expect(failures).toEqual([
      expect.stringContaining('1 committed changes were never published: 42'),
      expect.stringContaining('published but never committed: 43'),
      expect.stringContaining('GMC numbers 7000017'),
      expect.stringContaining('trainee/18'),
    ]);
    const lines = formatSoakReport(outcome, failures);
    expect(lines[0]).toMatch(/^soak FAILED/);
    expect(JSON.parse(lines.at(-1) ?? '')).toMatchObject({
      soak: 'failed',
      lost: 1,
      divergent: 1,
      unexpectedDeadLetters: 1,
    });
  });

  it('fails when the poisoned doctor was never dead-lettered or the replay left letters behind', () => {
    const outcome: SoakOutcome = {
      ...passingOutcome(),
      deadLetters: [],
      poisonReason: null,
      deadLettersAfterReplay: 2,
    };
    expect(soakFailures(outcome)).toEqual([
      expect.stringContaining('never dead-lettered'),
      expect.stringContaining('no failure with the poison'),
      expect.stringContaining('still hold 2 messages'),
    ]);
  });
});

describe('the soak write load', () => {
  it('sends only bodies the API accepts', () => {
    const random = seededRandom(7);
    const schemas = {
      'gmc-doctor': { schema: gmcDoctorInputSchema, idField: 'gmcReferenceNumber' },
      trainee: { schema: traineeInputSchema, idField: 'tcsPersonId' },
      recommendation: { schema: recommendationInputSchema, idField: 'id' },
      'connection-failure': { schema: connectionFailureInputSchema, idField: 'gmcReferenceNumber' },
    } as const;
    const kinds = new Set<string>();
    for (let n = 0; n < 2_000; n += 1) {
      const write = randomWrite(random, 50, TODAY);
      kinds.add(write.kind);
      if (write.method === 'DELETE') continue;
      const { schema, idField } = schemas[write.kind as keyof typeof schemas];
      const id = write.path.slice(write.path.lastIndexOf('/') + 1);
      const body = { ...(write.body as object), [idField]: idField === 'tcsPersonId' ? Number(id) : id };
      const parsed = schema.safeParse(body);
      expect(parsed.error?.issues ?? [], `${write.method} ${write.path}`).toEqual([]);
    }
    expect([...kinds].sort()).toEqual(['connection-failure', 'delete', 'gmc-doctor', 'recommendation', 'trainee']);
  });
});
