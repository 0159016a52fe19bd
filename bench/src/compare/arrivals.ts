import type { SubscribedQueue } from '@changeflow/test-support/queues';

/** Receivers draining one queue at once: fauxqs answers each receive with up to 10 messages. */
const RECEIVERS = 4;
/** Empty receives in a row (1 s long polls) after which a receiver takes the queue as drained. */
const EMPTY_RECEIVES = 3;

/**
 * Receives (and deletes) everything on `queue` and returns the distinct ids the bodies carry, so a
 * system's publishing can be checked against what it said SNS acknowledged.
 */
export async function drainArrivals(
  queue: SubscribedQueue,
  idsOf: (body: string) => readonly string[],
  signal: AbortSignal,
): Promise<Set<string>> {
  const ids = new Set<string>();
  const receiver = async () => {
    for (let empty = 0; empty < EMPTY_RECEIVES && !signal.aborted; ) {
      const messages = await queue.receive(1);
      empty = messages.length === 0 ? empty + 1 : 0;
      for (const message of messages) for (const id of idsOf(message.Body ?? '')) ids.add(id);
    }
  };
  await Promise.all(Array.from({ length: RECEIVERS }, receiver));
  return ids;
}
