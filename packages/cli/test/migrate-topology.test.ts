import { randomBytes } from 'node:crypto';
import { GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { REVAL_INDEX_TABLES } from '@changeflow/reval';
import { testAwsClients, uniquePrefix, useTestDatabase } from '@changeflow/test-support';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import type { AppliedTopologyResult, MigrateResult, StatusReport, TopologyResult } from '../src/index.js';
import { cliEnv, runBinary, runInProcess } from './cli-harness.js';

const testDb = useTestDatabase<unknown>('cli_migrate');
const aws = testAwsClients();
const indexSchema = `t_cli_index_${randomBytes(4).toString('hex')}`;
afterAll(async () => {
  await sql`drop schema if exists ${sql.id(indexSchema)} cascade`.execute(testDb().db);
  aws.destroy();
});

async function tablesIn(schema: string): Promise<string[]> {
  const result = await sql<{ table_name: string }>`
    select table_name from information_schema.tables where table_schema = ${schema} order by table_name`.execute(
    testDb().db,
  );
  return result.rows.map((row) => row.table_name);
}

describe('changeflow migrate', () => {
  it('creates the outbox, consumer, reval primary and reval index tables, and running it again changes nothing', async () => {
    const env = cliEnv(testDb().url, uniquePrefix('cli-mig'), { INDEX_SCHEMA: indexSchema });
    const first = await runBinary(['migrate', '--json'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.json<MigrateResult>().steps.map((step) => step.step)).toEqual([
      'outbox',
      'consumer',
      'reval-primary',
      'reval-index',
    ]);
    expect(first.stderr).toContain('migrating outbox');

    const primary = await tablesIn(testDb().schema);
    for (const table of ['changes', 'failed_messages', 'semaphore_slots', 'reval_trainee', 'reval_gmc_doctor']) {
      expect(primary).toContain(table);
    }
    expect(await tablesIn(indexSchema)).toEqual(expect.arrayContaining([...REVAL_INDEX_TABLES]));

    const again = await runInProcess(['migrate'], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/migrated outbox\s+127\.0\.0\.1:5432\//);
    expect(again.stdout).toContain(`schema ${indexSchema}`);
  }, 120_000);
});

describe('changeflow topology', () => {
  it('prints the topology derived from the worker definitions, as text, JSON and CloudFormation', async () => {
    const prefix = uniquePrefix('cli-topo');
    const env = cliEnv(testDb().url, prefix);
    const text = await runInProcess(['topology'], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      new RegExp(`reval-index\\s+${prefix}-reval-index\\s+${prefix}-reval-index-dlq\\s+60 s\\s+5`),
    );

    const json = (await runInProcess(['topology', '--format', 'json'], env)).json<TopologyResult>();
    expect(json.workers[0]).toMatchObject({
      worker: 'reval-index',
      queueName: `${prefix}-reval-index`,
      deadLetterQueueName: `${prefix}-reval-index-dlq`,
    });
    expect(json.topics).toContain(`${prefix}-trainee`);
    expect((await runInProcess(['--json', 'topology'], env)).json<TopologyResult>()).toEqual(json);

    const template = (await runInProcess(['topology', '--format', 'cloudformation'], env)).json<{
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    }>();
    const queues = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::SQS::Queue');
    expect(queues.map((queue) => queue.Properties.QueueName).sort()).toEqual([
      `${prefix}-reval-index`,
      `${prefix}-reval-index-dlq`,
      `${prefix}-reval-sync`,
      `${prefix}-reval-sync-dlq`,
    ]);
  });

  it('--apply provisions the queues idempotently, after which status finds them (through the real binary)', async () => {
    const prefix = uniquePrefix('cli-apply');
    const env = cliEnv(testDb().url, prefix);
    const applied = await runBinary(['topology', '--apply', '--json'], env);
    expect(applied.code, applied.stderr).toBe(0);
    const [worker] = applied.json<AppliedTopologyResult>().workers;
    const url = (await aws.sqs.send(new GetQueueUrlCommand({ QueueName: `${prefix}-reval-index` }))).QueueUrl;
    expect(worker?.queueUrl).toBe(url);
    const attributes = await aws.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['RedrivePolicy', 'VisibilityTimeout'] }),
    );
    expect(attributes.Attributes?.VisibilityTimeout).toBe('60');
    expect(JSON.parse(attributes.Attributes?.RedrivePolicy ?? '{}')).toMatchObject({ maxReceiveCount: 5 });

    const again = await runInProcess(['topology', '--apply'], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`Provisioned prefix ${prefix}`);
    expect(again.stdout).toContain(url);

    const status = await runInProcess(['status', '--json'], env);
    expect(status.json<StatusReport>().workers[0]?.queue.missing).toBe(false);
  }, 120_000);
});
