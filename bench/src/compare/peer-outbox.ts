/**
 * pg-transactional-outbox (0.5.x), used as its README's producer example does: `storeOutboxMessage`
 * inside the write's transaction, and the logical-replication listener whose message handler
 * publishes each message to SNS (one `Publish` per message: the handler is called per message, and
 * the default concurrency strategy runs them one at a time).
 */
import { randomUUID } from 'node:crypto';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import pg from 'pg';
import {
  type DatabaseReplicationSetupConfig,
  DatabaseSetup,
  getDisabledLogger,
  initializeMessageStorage,
  initializeReplicationMessageListener,
  type ReplicationListenerConfig,
  type TransactionalMessage,
} from 'pg-transactional-outbox';
import { writeBody } from '../outbox/write-overhead.js';

export interface PeerOutbox {
  /** One write and its outbox message in one transaction (BEGIN, INSERT, INSERT, COMMIT). */
  write(id: number): Promise<void>;
  /** As {@link write}, resolving at the commit with a promise of the SNS acknowledgement time. */
  timedWrite(id: number): Promise<{ committedAt: number; acked: Promise<number> }>;
  /** Inserts `count` outbox messages in one statement (a backlog for the drain). */
  insertBacklog(count: number): Promise<void>;
  /** Starts the replication listener (publishing). */
  startListener(): void;
  stopListener(): Promise<void>;
  /** Forgets everything recorded so far: drops and recreates the replication slot, empties the table. */
  reset(): Promise<void>;
  /** Messages SNS acknowledged since the start. */
  acked(): number;
  /** Messages of {@link insertBacklog} SNS acknowledged. */
  ackedBacklog(): number;
  /** Message ids SNS acknowledged (to check against what arrived). */
  readonly ackedIds: Set<string>;
  close(): Promise<void>;
}

const SCHEMA = 'peer';
const TABLE = 'outbox';

export async function openPeerOutbox(
  url: string,
  options: { sns: SNSClient; topicArn: string; poolSize: number },
): Promise<PeerOutbox> {
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize });
  const setup: DatabaseReplicationSetupConfig = {
    outboxOrInbox: 'outbox',
    database: new URL(url).pathname.slice(1),
    schema: SCHEMA,
    table: TABLE,
    listenerRole: 'postgres',
    publication: 'peer_outbox_pub',
    replicationSlot: 'peer_outbox_slot',
  };
  await pool.query(DatabaseSetup.dropAndCreateTable(setup));
  await pool.query(DatabaseSetup.setupReplicationCore(setup));
  // "When creating a new replication slot you must run that SQL script in its own transaction."
  const createSlot = () => pool.query(DatabaseSetup.setupReplicationSlot(setup));
  await createSlot();

  const { hostname, port, username, pathname } = new URL(url);
  const config: ReplicationListenerConfig = {
    outboxOrInbox: 'outbox',
    dbListenerConfig: { host: hostname, port: Number(port), user: username, database: pathname.slice(1) },
    settings: {
      dbSchema: SCHEMA,
      dbTable: TABLE,
      enableMaxAttemptsProtection: false,
      enablePoisonousMessageProtection: false,
      dbPublication: setup.publication,
      dbReplicationSlot: setup.replicationSlot,
    },
  };
  const logger = getDisabledLogger();
  const storeOutboxMessage = initializeMessageStorage(config, logger);
  const ackedIds = new Set<string>();
  const ackedBacklogIds = new Set<string>();
  const waiting = new Map<string, (at: number) => void>();
  let shutdown: (() => Promise<void>) | undefined;
  const stopListener = async () => {
    const stop = shutdown;
    shutdown = undefined;
    await stop?.();
  };

  const writeMessage = async (id: number, messageId: string) => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ id: string; version: number }>(
        'insert into bench_write (id, body) values ($1, $2) returning id, version',
        [id, writeBody(id)],
      );
      const message: TransactionalMessage = {
        id: messageId,
        aggregateType: 'trainee',
        messageType: 'trainee_created',
        aggregateId: String(id),
        payload: rows[0],
        createdAt: new Date().toISOString(),
      };
      await storeOutboxMessage(message, client);
      await client.query('COMMIT');
      client.release();
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      client.release(true);
      throw err;
    }
  };

  return {
    write: (id) => writeMessage(id, randomUUID()),
    async timedWrite(id) {
      const messageId = randomUUID();
      const acked = new Promise<number>((resolve) => waiting.set(messageId, resolve));
      await writeMessage(id, messageId);
      return { committedAt: performance.now(), acked };
    },
    async insertBacklog(count) {
      await pool.query(
        `insert into ${SCHEMA}.${TABLE} (id, aggregate_type, aggregate_id, message_type, payload, created_at)
         select gen_random_uuid(), 'trainee', 'backlog-' || i, 'trainee_created', jsonb_build_object('id', i, 'version', 1), now()
         from generate_series(1, $1::int) as i`,
        [count],
      );
    },
    startListener() {
      if (shutdown) return;
      [shutdown] = initializeReplicationMessageListener(
        config,
        {
          async handle(message) {
            await options.sns.send(
              new PublishCommand({
                TopicArn: options.topicArn,
                Message: JSON.stringify({
                  id: message.id,
                  aggregateType: message.aggregateType,
                  aggregateId: message.aggregateId,
                  messageType: message.messageType,
                  payload: message.payload,
                }),
              }),
            );
            ackedIds.add(message.id);
            if (message.aggregateId.startsWith('backlog-')) ackedBacklogIds.add(message.id);
            waiting.get(message.id)?.(performance.now());
            waiting.delete(message.id);
          },
        },
        logger,
      );
    },
    stopListener,
    async reset() {
      await pool.query(`truncate ${SCHEMA}.${TABLE}`);
      await createSlot();
    },
    acked: () => ackedIds.size,
    ackedBacklog: () => ackedBacklogIds.size,
    ackedIds,
    async close() {
      await stopListener();
      await pool.query(`select pg_drop_replication_slot(slot_name) from pg_replication_slots`).catch(() => {});
      await pool.end();
    },
  };
}
