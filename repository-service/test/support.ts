import type { AwsClients } from '@changeflow/aws';
import { migrateConsumer } from '@changeflow/consumer';
import { createOutbox, type Outbox } from '@changeflow/outbox';
import { migrateRevalIndex, migrateRevalPrimary, type RevalDatabase, type RevalIndexDatabase } from '@changeflow/reval';
import { type TestDatabase, testAwsClients, uniquePrefix, useTestDatabase } from '@changeflow/test-support';
import type { FastifyInstance } from 'fastify';
import { type Kysely, sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, inject } from 'vitest';
import { buildApp, loadConfig, type RepositoryServiceConfig } from '../src/index.js';

/** The tokens every test configures. */
export const READ_TOKEN = 'read-token-0123456789abcdef';
export const WRITE_TOKEN = 'write-token-0123456789abcdef';
export const READ = { authorization: `Bearer ${READ_TOKEN}` };
export const WRITE = { authorization: `Bearer ${WRITE_TOKEN}` };

/** Environment of a test's service: the tokens, this run's SNS/SQS, and whatever the test adds. */
export function testConfig(env: Record<string, string>): RepositoryServiceConfig {
  return loadConfig({
    READ_TOKEN,
    WRITE_TOKEN,
    AWS_ENDPOINT_URL: inject('awsEndpoint'),
    AWS_REGION: process.env.AWS_REGION,
    LOG_LEVEL: 'silent',
    ...env,
  });
}

/** A service built on a fresh schema of its own, for `app.inject` or `app.listen`. */
export interface TestService {
  app: FastifyInstance;
  config: RepositoryServiceConfig;
  testDb: TestDatabase<RevalDatabase>;
  db: Kysely<RevalDatabase>;
  indexDb: Kysely<RevalIndexDatabase>;
  indexSchema: string;
  outbox: Outbox<RevalDatabase>;
  aws: AwsClients;
  /** The topic prefix the outbox publishes under. */
  prefix: string;
}

/**
 * Gives the calling test file a migrated schema (primary tables, outbox, consumer, and an index schema
 * `<schema>_idx`), an outbox on this run's SNS/SQS under a prefix of its own, and the app built on
 * them. Everything is closed, and the index schema dropped, after the file.
 */
export function useTestService(label: string, env: Record<string, string> = {}): () => TestService {
  const testDb = useTestDatabase<RevalDatabase>(`repo_${label}`, async (db) => {
    await migrateRevalPrimary(db);
    await migrateConsumer(db);
  });
  let current: TestService | undefined;
  beforeAll(async () => {
    const { db, schema } = testDb();
    const indexSchema = `${schema}_idx`;
    await migrateRevalIndex(db, indexSchema);
    const prefix = uniquePrefix(`repo-${label}`);
    const config = testConfig({ INDEX_SCHEMA: indexSchema, CHANGEFLOW_PREFIX: prefix, ...env });
    const aws = testAwsClients();
    const logger = pino({ level: 'silent' });
    const outbox = createOutbox({ db, sns: aws.sns, logger }, { topicPrefix: prefix });
    const indexDb = db as unknown as Kysely<RevalIndexDatabase>;
    const app = await buildApp({ config, db, indexDb, outbox, logger });
    current = { app, config, testDb: testDb(), db, indexDb, indexSchema, outbox, aws, prefix };
  });
  afterAll(async () => {
    if (!current) return;
    const { app, outbox, aws, db, indexSchema } = current;
    await app.close();
    await outbox.flush();
    aws.destroy();
    await sql`drop schema if exists ${sql.id(indexSchema)} cascade`.execute(db);
  });
  return () => {
    if (!current) throw new Error('useTestService: the service exists only inside tests and hooks');
    return current;
  };
}

/** A trainee with one current programme membership (today being 2026-06-15) and one placement. */
export function trainee(tcsPersonId: number, gmcReferenceNumber: string | null, owner = 'Thames Valley') {
  return {
    tcsPersonId,
    gmcReferenceNumber,
    firstName: `First${tcsPersonId}`,
    lastName: `Last${tcsPersonId}`,
    role: 'Trainee',
    programmeMemberships: [
      {
        programmeName: 'General Practice',
        membershipType: 'SUBSTANTIVE',
        startDate: '2025-08-01',
        endDate: '2028-07-31',
        programmeOwner: owner,
        curricula: [{ curriculumEndDate: '2028-07-31' }],
      },
    ],
    placements: [{ gradeId: '300', startDate: '2025-08-01', endDate: '2027-07-31' }],
  };
}

/** A GMC doctor connected to `designatedBodyCode` (null: not connected). */
export function gmcDoctor(gmcReferenceNumber: string, designatedBodyCode: string | null, existsInGmc = true) {
  return {
    gmcReferenceNumber,
    doctorFirstName: `Gmc${gmcReferenceNumber}`,
    doctorLastName: `Doctor${gmcReferenceNumber}`,
    submissionDate: '2026-12-01',
    dateAdded: '2024-01-10',
    underNotice: 'NO',
    sanction: null,
    designatedBodyCode,
    admin: null,
    existsInGmc,
    lastUpdatedDate: '2026-06-01',
  };
}

/** NDJSON of `records`, one per line. */
export function ndjson(records: readonly unknown[]): string {
  return `${records.map((record) => JSON.stringify(record)).join('\n')}\n`;
}
