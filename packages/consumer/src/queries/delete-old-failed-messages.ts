import { type Kysely, sql } from 'kysely';
import { asConsumerDb, type ConsumerDatabase } from '../schema.js';

/**
 * Deletes at most `limit` rows of `failed_messages` whose last failure is more than `retentionMs`
 * ago, replayed or not: by then SQS has long dropped the message itself (a queue keeps a message 14
 * days at most), so the row only records history. Judged on `last_failed_at`, which
 * `failed_messages_last_failed_idx` covers per worker.
 */
export async function deleteOldFailedMessages<DB extends ConsumerDatabase>(
  anyDb: Kysely<DB>,
  retentionMs: number,
  limit: number,
): Promise<number> {
  const db = asConsumerDb(anyDb);
  const result = await db
    .deleteFrom('failed_messages')
    .where((eb) =>
      eb(
        eb.refTuple('worker', 'message_id'),
        'in',
        eb
          .selectFrom('failed_messages')
          .select(['worker', 'message_id'])
          .where('last_failed_at', '<', sql<Date>`now() - make_interval(secs => ${retentionMs / 1000})`)
          .limit(limit)
          .$asTuple('worker', 'message_id'),
      ),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
