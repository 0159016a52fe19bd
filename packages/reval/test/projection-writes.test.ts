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

  it('reads the sources in one statement and upserts every index table in one more', async () => {
    const { db, indexSchema, save, stores, outbox } = await setUp('statements');
    await save([doctor('7500021', 'Meitner', '1-1RUZUSF'), doctor('7500022', 'Franklin', null)]);
    await outbox.flush();
    const statements: string[] = [];
    const logged = new Kysely<RevalDatabase>({
      dialect: new PostgresDialect({ pool: testDb().createPool(1) }),
      log: (event) => {
        statements.push(event.query.sql.replace(/\s+/g, ' ').trim());
      },
    });
    try {
      // One database for both stores, as deployed by default: the sources are read in the transaction.
      await projectGmcNumbers(
        { ...stores, primaryDb: logged, indexDb: untypedDb(logged) },
        ['7500021', '7500022'],
        TODAY,
      );
    } finally {
      await logged.destroy();
    }
    const kinds = statements.map((statement) => {
      if (/^(begin|commit)$/i.test(statement)) return statement.toLowerCase();
      if (statement.includes('pg_advisory_xact_lock')) return 'lock';
      if (statement.includes('from "reval_trainee"')) return 'sources';
      const deleted = /^delete from "[^"]+"\."(\w+)"/.exec(statement)?.[1];
      if (deleted) return `delete ${deleted}`;
      if (statement.startsWith('with "master_upsert" as')) return 'upserts';
      return statement;
    });
    // The connected doctor is in connected and discrepancies, the other in disconnected; both in
    // master and recommendation, which get no delete.
    expect(kinds).toEqual([
      'begin',
      'lock',
      'sources',
      'delete connected',
      'delete disconnected',
      'delete exception',
      'delete discrepancies',
      'upserts',
      'commit',
    ]);
    const upserts = statements.find((statement) => statement.startsWith('with "master_upsert" as')) ?? '';
    expect([...upserts.matchAll(/insert into "[^"]+"\."(\w+)"/g)].map((match) => match[1])).toEqual([
      'master',
      'recommendation',
      'connected',
      'disconnected',
      'discrepancies',
    ]);
    const versions = await rowVersions(db, indexSchema);
    expect(versions['connected/7500021']).toBeDefined();
    expect(versions['disconnected/7500022']).toBeDefined();
  });

  it('prepares the upsert once per connection, unless preparedStatements is false', async () => {
    const { save, stores, outbox } = await setUp('prepared');
    await save([doctor('7500031', 'Germain', '1-1RUZUSF'), doctor('7500032', 'Hodgkin', '1-1RUZUSF')]);
    await outbox.flush();
    const preparedOn = async (preparedStatements: boolean | undefined, gmc: string) => {
      const one = new Kysely<RevalDatabase>({ dialect: new PostgresDialect({ pool: testDb().createPool(1) }) });
      try {
        const onOneConnection = { ...stores, primaryDb: one, indexDb: untypedDb(one), preparedStatements };
        await projectGmcNumbers(onOneConnection, [gmc], TODAY);
        await projectGmcNumbers(onOneConnection, [gmc], TODAY);
        const { rows } = await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(one);
        return rows.map((row) => row.statement).filter((statement) => statement.includes('json_populate_recordset'));
      } finally {
        await one.destroy();
      }
    };
    const prepared = await preparedOn(undefined, '7500031');
    expect(prepared).toHaveLength(1);
    expect(prepared[0]).toMatch(/^with "master_upsert" as/);
    expect(await preparedOn(false, '7500032')).toEqual([]);
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
