import type { ChangeRecorder, ReturningWrite } from '@changeflow/outbox';

/**
 * Records nothing: a write path (e.g. `saveGmcDoctors`) runs as it would with no outbox in the
 * transaction, so a benchmark can write primary data alone or measure the write without its record.
 */
export const NO_CHANGES: ChangeRecorder = {
  record: async () => [],
  recordWrite: async <O>(write: ReturningWrite<O>) => ({ rows: (await write.execute()) as O[], changes: [] }),
  recorded: [],
};
