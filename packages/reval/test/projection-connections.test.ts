import { createOutbox } from '@changeflow/outbox';
import { testAwsClients, uniquePrefix, useTestDatabase } from '@changeflow/test-support';
import { Kysely, PostgresDialect } from 'kysely';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_DESIGNATED_BODIES,
  migrateRevalIndex,
  migrateRevalPrimary,
  projectGmcNumbers,
  type RevalDatabase,
  saveGmcDoctors,
  untypedDb,
} from '../src/index.js';

const testDb = useTestDatabase<RevalDatabase>('projection-connections', (db) => migrateRevalPrimary(db));
const aws = testAwsClients();
afterAll(() => aws.destroy());

describe('a projection on one database', () => {
  it('needs one connection: it completes on a pool of one', { timeout: 15_000 }, async () => {
    const { db, schema, createPool } = testDb();
    const indexSchema = `${schema}_index`;
    await migrateRevalIndex(db, indexSchema);
    const outbox = createOutbox(
      { db, sns: aws.sns, logger: pino({ level: 'silent' }) },
      { topicPrefix: uniquePrefix('projection') },
    );
    await outbox.transaction((trx, changes) =>
      saveGmcDoctors({ trx, changes }, [
        {
          gmcReferenceNumber: '7400001',
          doctorFirstName: 'Ada',
          doctorLastName: 'Lovelace',
          submissionDate: '2027-01-01',
          dateAdded: null,
          underNotice: 'YES',
          sanction: null,
          designatedBodyCode: '1-1RUZUSF',
          admin: null,
          existsInGmc: true,
          lastUpdatedDate: null,
        },
      ]),
    );
    await outbox.flush();
    // A pool of one: the projection's transaction holds the only connection, so reading the sources
    // on other connections of the pool would wait for ever.
    const single = new Kysely<RevalDatabase>({ dialect: new PostgresDialect({ pool: createPool(1) }) });
    try {
      const stores = {
        primaryDb: single,
        indexDb: untypedDb(single),
        indexSchema,
        designatedBodies: DEFAULT_DESIGNATED_BODIES,
      };
      await expect(projectGmcNumbers(stores, ['7400001'], '2026-06-15')).resolves.toBe(1);
    } finally {
      await single.destroy();
    }
  });
});
