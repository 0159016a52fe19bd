import { type Kysely, type Selectable, sql } from 'kysely';
import type { ConsumerDatabase } from '../schema.js';

/** A `failed_messages` row as the CLI and the console show it. */
export interface FailedMessage {
  worker: string;
  /** The id of the message as the worker first received it (SQS keeps it through its own redrive). */
  messageId: string;
  changeNumbers: string[];
  objectType: string | null;
  objectIds: string[];
  /** The reason of the last failure. */
  error: string;
  attempts: number;
  /** The message is in the DLQ (as far as the runtime and the CLI know). */
  deadLettered: boolean;
  firstFailedAt: Date;
  lastFailedAt: Date;
}

type Row = Selectable<ConsumerDatabase['failed_messages']>;

function toFailedMessage(row: Row): FailedMessage {
  return {
    worker: row.worker,
    messageId: row.message_id,
    changeNumbers: row.change_numbers.map(String),
    objectType: row.object_type,
    objectIds: row.object_ids,
    error: row.error,
    attempts: row.attempts,
    deadLettered: row.dead_lettered,
    firstFailedAt: row.first_failed_at,
    lastFailedAt: row.last_failed_at,
  };
}

/** The worker's dead-lettered messages, most recent failure first, and how many there are in all. */
export async function listDeadLettered(
  db: Kysely<ConsumerDatabase>,
  worker: string,
  limit: number,
): Promise<{ total: number; messages: FailedMessage[] }> {
  const base = db.selectFrom('failed_messages').where('worker', '=', worker).where('dead_lettered', '=', true);
  const [count, rows] = await Promise.all([
    base.select(sql<string>`count(*)`.as('count')).executeTakeFirstOrThrow(),
    base.selectAll().orderBy('last_failed_at', 'desc').orderBy('message_id').limit(limit).execute(),
  ]);
  return { total: Number(count.count), messages: rows.map(toFailedMessage) };
}

/** Dead-lettered rows per worker, for `status`. */
export async function countDeadLettered(db: Kysely<ConsumerDatabase>): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('failed_messages')
    .select(['worker', sql<string>`count(*)`.as('count')])
    .where('dead_lettered', '=', true)
    .groupBy('worker')
    .execute();
  return new Map(rows.map((row) => [row.worker, Number(row.count)]));
}

/** The rows of these message ids of the worker, by message id. */
export async function findFailedMessages(
  db: Kysely<ConsumerDatabase>,
  worker: string,
  messageIds: readonly string[],
): Promise<Map<string, FailedMessage>> {
  if (messageIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('failed_messages')
    .selectAll()
    .where('worker', '=', worker)
    .where('message_id', 'in', [...messageIds])
    .execute();
  return new Map(rows.map((row) => [row.message_id, toFailedMessage(row)]));
}

/**
 * Sets `dead_lettered` of these messages. The replay clears it *before* it sends a message back to
 * the queue, so a later replay that finds the message still in the DLQ knows an earlier one may have
 * sent it already (killed between send and delete): a possible duplicate. A failed send sets it back.
 */
export async function setDeadLettered(
  db: Kysely<ConsumerDatabase>,
  worker: string,
  messageIds: readonly string[],
  deadLettered: boolean,
): Promise<void> {
  if (messageIds.length === 0) return;
  await db
    .updateTable('failed_messages')
    .set({ dead_lettered: deadLettered })
    .where('worker', '=', worker)
    .where('message_id', 'in', [...messageIds])
    .execute();
}

/** Clears `dead_lettered` of the worker's rows that failed at or before `before` (after a move task). */
export async function clearDeadLetteredBefore(
  db: Kysely<ConsumerDatabase>,
  worker: string,
  before: Date,
): Promise<number> {
  const result = await db
    .updateTable('failed_messages')
    .set({ dead_lettered: false })
    .where('worker', '=', worker)
    .where('dead_lettered', '=', true)
    .where('last_failed_at', '<=', before)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Forgets the worker's dead-lettered rows (after a purge deleted their messages for good). */
export async function deleteDeadLettered(db: Kysely<ConsumerDatabase>, worker: string): Promise<number> {
  const result = await db
    .deleteFrom('failed_messages')
    .where('worker', '=', worker)
    .where('dead_lettered', '=', true)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
