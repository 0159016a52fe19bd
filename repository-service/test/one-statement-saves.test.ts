import { createOutbox } from '@changeflow/outbox';
import type { RevalDatabase } from '@changeflow/reval';
import { Kysely, PostgresDialect } from 'kysely';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../src/index.js';
import {
  connectionFailureResource,
  gmcDoctorResource,
  type RevalResource,
  recommendationResource,
  traineeResource,
} from '../src/resources.js';
import { gmcDoctor, trainee, useTestService, WRITE } from './support.js';

const service = useTestService('one_statement');

/** Each resource with a record it can save. */
const saves: Array<{ resource: RevalResource<object, never>; record: unknown }> = [
  { resource: traineeResource, record: trainee(9101, '7109101') },
  { resource: gmcDoctorResource, record: gmcDoctor('7109102', '1-1RSSQ6R') },
  {
    resource: recommendationResource,
    record: { id: 'rec-9103', gmcReferenceNumber: '7109102', type: 'REVALIDATE', status: 'READY_TO_REVIEW' },
  },
  { resource: connectionFailureResource, record: { gmcReferenceNumber: '7109102', reason: 'Missing code' } },
] as unknown as Array<{ resource: RevalResource<object, never>; record: unknown }>;

/** The publisher's `published_at` stamp, sent after the write on the same pool. */
const isStamp = (statement: string) => statement.includes('update "changes" set "published_at"');

/** The statements `resource.save` sends for one record, on a connection of its own. */
async function statementsOfSave(resource: RevalResource<object, never>, record: unknown): Promise<string[]> {
  const statements: string[] = [];
  const db = new Kysely<RevalDatabase>({
    dialect: new PostgresDialect({ pool: service().testDb.createPool(1) }),
    log: (event) => {
      statements.push(event.query.sql.trim().toLowerCase());
    },
  });
  const outbox = createOutbox({ db, sns: service().aws.sns }, { topicPrefix: service().prefix });
  try {
    const parsed = resource.recordSchema.parse(record);
    await outbox.transaction((trx, changes) => resource.save({ trx, changes }, [parsed]));
  } finally {
    await outbox.flush();
    await db.destroy();
  }
  return statements.filter((statement) => statement !== 'begin' && statement !== 'commit' && !isStamp(statement));
}

describe('isOneStatement', () => {
  for (const { resource, record } of saves) {
    it(`is ${resource.isOneStatement} for ${resource.noun}s, whose save sends ${resource.isOneStatement ? 'one statement' : 'more'}`, async () => {
      const statements = await statementsOfSave(resource, record);
      if (resource.isOneStatement) {
        expect(statements).toHaveLength(1);
        expect(statements[0]).toMatch(/^with w as \(insert into/);
      } else {
        expect(statements.length).toBeGreaterThan(1);
      }
    });
  }

  it('makes a PUT and a DELETE of a GMC doctor one statement each, no BEGIN or COMMIT; a trainee PUT keeps its transaction', async () => {
    const { config, indexDb, aws, prefix } = service();
    const statements: string[] = [];
    const db = new Kysely<RevalDatabase>({
      dialect: new PostgresDialect({ pool: service().testDb.createPool(1) }),
      log: (event) => {
        statements.push(event.query.sql.trim().toLowerCase());
      },
    });
    const logger = pino({ level: 'silent' });
    const outbox = createOutbox({ db, sns: aws.sns, logger }, { topicPrefix: prefix });
    const app = await buildApp({ config, db, indexDb, outbox, logger });
    /** What one PUT sent, without the publisher's stamps that follow it. */
    const put = async (url: string, payload: object) => {
      statements.length = 0;
      const answer = await app.inject({ method: 'PUT', url, headers: WRITE, payload });
      expect(answer.statusCode, answer.body).toBe(201);
      await outbox.flush();
      return statements.filter((statement) => !isStamp(statement));
    };
    try {
      expect(await put('/api/gmc/doctors/7109104', gmcDoctor('7109104', null))).toEqual([
        expect.stringMatching(/^with w as \(insert into "reval_gmc_doctor"/),
      ]);
      statements.length = 0;
      const deleted = await app.inject({ method: 'DELETE', url: '/api/gmc/doctors/7109104', headers: WRITE });
      expect(deleted.json()).toMatchObject({ objectId: '7109104', version: 2, changeType: 'DELETE' });
      await outbox.flush();
      expect(statements.filter((statement) => !isStamp(statement))).toEqual([
        expect.stringMatching(/^with w as \(update "reval_gmc_doctor"/),
      ]);
      const traineeStatements = await put('/api/tcs/trainees/9105', trainee(9105, '7109105'));
      expect(traineeStatements[0]).toBe('begin');
      expect(traineeStatements.at(-1)).toBe('commit');
      // Published after the commit, as through a transaction (G2, G3).
      const unpublished = await service()
        .db.selectFrom('changes')
        .select('change_number')
        .where('object_id', 'in', ['7109104', '9105'])
        .where('published_at', 'is', null)
        .execute();
      expect(unpublished).toEqual([]);
    } finally {
      await app.close();
      await db.destroy();
    }
  });
});
