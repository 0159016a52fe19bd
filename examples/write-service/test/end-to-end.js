/**
 * `npm test` of the example, as CI runs it from the packed tarballs: starts the local SNS/SQS
 * (unless AWS_ENDPOINT_URL names one), subscribes a queue to the topic `<prefix>-order`, runs
 * `node src/main.js` on a schema of its own, and checks that the order row committed and its change
 * reached the queue.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { createAwsClients, startLocalAws } from '@changeflow/aws';
import pg from 'pg';

const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));
const baseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const run = randomBytes(4).toString('hex');
const schema = `example_write_service_${run}`;
const prefix = `example-${run}`;

const local = process.env.AWS_ENDPOINT_URL ? undefined : await startLocalAws();
const endpoint = process.env.AWS_ENDPOINT_URL ?? local?.endpoint;
const aws = createAwsClients({ endpoint });
const admin = new pg.Client({ connectionString: baseUrl });
await admin.connect();
await admin.query(`create schema ${schema}`);
try {
  const { TopicArn } = await aws.sns.send(new CreateTopicCommand({ Name: `${prefix}-order` }));
  const { QueueUrl } = await aws.sqs.send(new CreateQueueCommand({ QueueName: `${prefix}-orders-projection` }));
  const { Attributes } = await aws.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  await aws.sns.send(
    new SubscribeCommand({
      TopicArn,
      Protocol: 'sqs',
      Endpoint: Attributes?.QueueArn,
      Attributes: { RawMessageDelivery: 'true' },
    }),
  );

  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const { stderr } = await promisify(execFile)(process.execPath, [MAIN, 'order-1', 'book', '2'], {
    env: { ...process.env, DATABASE_URL: url.toString(), AWS_ENDPOINT_URL: endpoint, CHANGEFLOW_PREFIX: prefix },
  });
  assert.equal(stderr, '', 'the service wrote to stderr');

  const { rows } = await admin.query(
    `select o.quantity, c.change_number, c.published_at from ${schema}.orders o
       join ${schema}.changes c on c.object_type = 'order' and c.object_id = o.id where o.id = 'order-1'`,
  );
  assert.equal(rows.length, 1, 'one order row with one change row, committed together');
  assert.equal(rows[0].quantity, 2);
  assert.notEqual(rows[0].published_at, null, 'the change is marked published');

  const { Messages = [] } = await aws.sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 10 }));
  assert.equal(Messages.length, 1, 'one message reached the subscribed queue');
  const { changes } = JSON.parse(Messages[0].Body ?? '{}');
  assert.deepEqual(
    changes.map((c) => [c.changeNumber, c.objectType, c.objectId, c.changeType]),
    [[String(rows[0].change_number), 'order', 'order-1', 'CREATE']],
  );
  console.log(`ok: order-1 committed with change ${rows[0].change_number}, published to ${prefix}-order and received`);
} finally {
  await admin.query(`drop schema ${schema} cascade`);
  await admin.end();
  aws.destroy();
  await local?.close();
}
