import { type Kysely, sql } from 'kysely';
import type { ConsumerDatabase } from '../schema.js';

/** One failure of one message, as the worker runtime records it for people and the CLI (G5). */
export interface FailureRecord {
  worker: string;
  messageId: string;
  changeNumbers: readonly string[];
  objectType: string | null;
  objectIds: readonly string[];
  error: string;
  /** Deliveries so far (SQS's ApproximateReceiveCount). */
  attempts: number;
  /** The message is in the DLQ now, or SQS moves it there at its next receive. */
  deadLettered: boolean;
}

/**
 * Upserts the failure: the first one creates the row, later ones update the error, the attempts,
 * the last-failure time and, once set, keep `dead_lettered`.
 */
export async function recordFailure(db: Kysely<ConsumerDatabase>, failure: FailureRecord): Promise<void> {
  await db
    .insertInto('failed_messages')
    .values({
      worker: failure.worker,
      message_id: failure.messageId,
      change_numbers: [...failure.changeNumbers],
      object_type: failure.objectType,
      object_ids: [...failure.objectIds],
      error: failure.error.slice(0, 4000),
      attempts: failure.attempts,
      dead_lettered: failure.deadLettered,
    })
    .onConflict((oc) =>
      oc.columns(['worker', 'message_id']).doUpdateSet({
        error: (eb) => eb.ref('excluded.error'),
        attempts: sql<number>`greatest(failed_messages.attempts, excluded.attempts)`,
        dead_lettered: sql<boolean>`failed_messages.dead_lettered or excluded.dead_lettered`,
        last_failed_at: sql<Date>`now()`,
      }),
    )
    .execute();
}
