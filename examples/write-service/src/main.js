/**
 * A minimal write service: `node src/main.js <order-id> <item> <quantity>` stores one order and
 * records its change in the same transaction; the change reaches SNS after the commit.
 *
 *   DATABASE_URL       postgres://postgres@127.0.0.1:5432/postgres
 *   AWS_ENDPOINT_URL   unset for AWS itself; http://127.0.0.1:4566 for the local SNS/SQS
 *   CHANGEFLOW_PREFIX  changeflow (topics are <prefix>-<objectType>)
 */
import { awsOptionsFromEnv, createAwsClients } from '@changeflow/aws';
import { createOutbox, migrateOutbox } from '@changeflow/outbox';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { pino } from 'pino';
import { placeOrder } from './orders.js';

const [id, item = 'book', quantity = '1'] = process.argv.slice(2);
if (!id) {
  process.stderr.write('usage: node src/main.js <order-id> [item] [quantity]\n');
  process.exit(2);
}

const logger = pino({ level: process.env.LOG_LEVEL ?? 'info', base: { app: 'example-write-service' } });
const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
});
const db = new Kysely({ dialect: new PostgresDialect({ pool }) });
const aws = createAwsClients(awsOptionsFromEnv());
try {
  await migrateOutbox(db);
  await sql`create table if not exists orders (id text primary key, item text not null, quantity int not null)`.execute(
    db,
  );
  const outbox = createOutbox(
    { db, sns: aws.sns, logger },
    { topicPrefix: process.env.CHANGEFLOW_PREFIX ?? 'changeflow' },
  );
  await placeOrder(outbox, { id, item, quantity: Number(quantity) });
  await outbox.flush();
  logger.info({ orderId: id }, 'order placed; its change is published');
} finally {
  await db.destroy();
  aws.destroy();
}
