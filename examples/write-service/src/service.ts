/**
 * The same service, typed: checked with `tsc --noEmit` against the published declarations
 * (`moduleResolution: nodenext`), as a TypeScript service of one's own would be.
 */
import { awsOptionsFromEnv, createAwsClients } from '@changeflow/aws';
import { createOutbox, migrateOutbox, type Outbox, type OutboxDatabase, type RecordedChange } from '@changeflow/outbox';
import { createSemaphore } from '@changeflow/semaphore';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { pino } from 'pino';

interface OrdersTable {
  id: string;
  item: string;
  quantity: number;
}

/** The service's own tables beside the outbox's. */
export interface Database extends OutboxDatabase {
  orders: OrdersTable;
}

export async function placeOrder(outbox: Outbox<Database>, order: OrdersTable): Promise<RecordedChange[]> {
  return outbox.transaction(async (trx, changes) => {
    await trx.insertInto('orders').values(order).execute();
    return changes.record({ objectType: 'order', objectId: order.id, objectVersion: 1, changeType: 'CREATE' });
  });
}

export async function startService(databaseUrl: string): Promise<{ outbox: Outbox<Database>; stop(): Promise<void> }> {
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: databaseUrl }) }),
  });
  const aws = createAwsClients(awsOptionsFromEnv());
  await migrateOutbox(db);
  const outbox = createOutbox({ db, sns: aws.sns, logger: pino() }, { topicPrefix: 'changeflow' });
  const sweeper = outbox.createSweeper(createSemaphore(db));
  sweeper.start();
  return {
    outbox,
    async stop() {
      await sweeper.stop();
      await outbox.flush();
      await db.destroy();
      aws.destroy();
    },
  };
}
