import { createOutbox } from '@changeflow/outbox';
import { testAwsClients, uniquePrefix, useTestDatabase } from '@changeflow/test-support';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_DESIGNATED_BODIES,
  type GmcDoctor,
  migrateRevalIndex,
  migrateRevalPrimary,
  projectGmcNumbers,
  REVAL_INDEX_TABLES,
  type RevalDatabase,
  saveGmcDoctors,
  untypedDb,
} from '../src/index.js';

const testDb = useTestDatabase<RevalDatabase>('projection-writes', (db) => migrateRevalPrimary(db));
const aws = testAwsClients();
afterAll(() => aws.destroy());

const TODAY = '2026-06-15';

function doctor(gmc: string, lastName: string, designatedBodyCode: string | null): GmcDoctor {
  return {
    gmcReferenceNumber: gmc,
    doctorFirstName: 'Ada',
    doctorLastName: lastName,
    submissionDate: '2027-01-01',
    dateAdded: null,
    underNotice: 'YES',
    sanction: null,
    designatedBodyCode,
    admin: null,
    existsInGmc: true,
    lastUpdatedDate: null,
  };
}

/** Each row's physical version (`xmin`, the transaction that wrote it) by table and GMC number. */
async function rowVersions(db: Kysely<RevalDatabase>, schema: string): Promise<Record<string, string>> {
  const versions: Record<string, string> = {};
  for (const table of REVAL_INDEX_TABLES) {
    const { rows } = await sql<{ gmc: string; version: string }>`
      select gmc_reference_number as gmc, xmin::text as version from ${sql.id(schema, table)}`.execute(db);
    for (const row of rows) versions[`${table}/${row.gmc}`] = row.version;
  }
  return versions;
}

/** A fresh index schema `<schema>_<suffix>`, a way to save doctors through the outbox, and the stores. */
async function setUp(suffix: string) {
  const { db, schema } = testDb();
  const indexSchema = `${schema}_${suffix}`;
  await migrateRevalIndex(db, indexSchema);
  const outbox = createOutbox(
    { db, sns: aws.sns, logger: pino({ level: 'silent' }) },
    { topicPrefix: uniquePrefix('projection-writes') },
  );
  const save = (doctors: GmcDoctor[]) =>
    outbox.transaction((trx, changes) => saveGmcDoctors({ trx, changes }, doctors));
  const stores = { primaryDb: db, indexDb: untypedDb(db), indexSchema, designatedBodies: DEFAULT_DESIGNATED_BODIES };
  return { db, indexSchema, save, stores, outbox };
}

describe('a projection that writes the indexes', () => {
  it('leaves an unchanged row untouched but rewrites a changed one and removes one that left', async () => {
    const { db, indexSchema, save, stores, outbox } = await setUp('index');
    const gmcNumbers = ['7500001', '7500002'];

    await save([doctor('7500001', 'Lovelace', '1-1RUZUSF'), doctor('7500002', 'Hopper', '1-1RUZUSF')]);
    await projectGmcNumbers(stores, gmcNumbers, TODAY);
    const first = await rowVersions(db, indexSchema);
    expect(Object.keys(first).sort()).toEqual([
      'connected/7500001',
      'connected/7500002',
      'discrepancies/7500001',
      'discrepancies/7500002',
      'master/7500001',
      'master/7500002',
      'recommendation/7500001',
      'recommendation/7500002',
    ]);

    // A second projection of the same data (a duplicate delivery) writes nothing.
    await projectGmcNumbers(stores, gmcNumbers, TODAY);
    expect(await rowVersions(db, indexSchema)).toEqual(first);

    // One doctor renamed, the other disconnected: the first's rows are rewritten in place, the
    // second leaves `connected` for `disconnected`, and no row that stayed the same is touched.
    await save([doctor('7500001', 'Byron', '1-1RUZUSF'), doctor('7500002', 'Hopper', null)]);
    await projectGmcNumbers(stores, gmcNumbers, TODAY);
    const second = await rowVersions(db, indexSchema);
    for (const table of ['master', 'recommendation', 'connected', 'discrepancies'])
      expect(second[`${table}/7500001`], table).not.toBe(first[`${table}/7500001`]);
    expect(second['connected/7500002']).toBeUndefined();
    expect(second['disconnected/7500002']).toBeDefined();
    expect(second['master/7500002']).not.toBe(first['master/7500002']);
    const { rows } = await sql<{ doctor_last_name: string }>`
      select doctor_last_name from ${sql.id(indexSchema, 'master')} where gmc_reference_number = '7500001'`.execute(db);
    expect(rows).toEqual([{ doctor_last_name: 'Byron' }]);

    await projectGmcNumbers(stores, gmcNumbers, TODAY);
    expect(await rowVersions(db, indexSchema)).toEqual(second);
    await outbox.flush();
  });

  it('sends no delete to a table every projected document stays in', async () => {
    const { db, indexSchema, save, stores, outbox } = await setUp('nodelete');
    await save([doctor('7500011', 'Noether', '1-1RUZUSF'), doctor('7500012', 'Curie', '1-1RUZUSF')]);
    await outbox.flush();
    const statements: string[] = [];
    const logged = new Kysely<unknown>({
      dialect: new PostgresDialect({ pool: testDb().createPool(1) }),
      log: (event) => {
        statements.push(event.query.sql);
      },
    });
    try {
      await projectGmcNumbers({ ...stores, indexDb: logged }, ['7500011', '7500012'], TODAY);
    } finally {
      await logged.destroy();
    }
    // Both are in master, recommendation, connected and discrepancies, in neither of the others.
    const deletedFrom = statements
      .map((statement) => /^delete from "[^"]+"\."(\w+)"/.exec(statement)?.[1])
      .filter((table) => table !== undefined);
    expect(deletedFrom.sort()).toEqual(['disconnected', 'exception']);
    expect(Object.keys(await rowVersions(db, indexSchema)).filter((key) => key.startsWith('connected/'))).toHaveLength(
      2,
    );
  });
});
