import type { ChangeMessage } from '@changeflow/outbox';

/**
 * A change message in wire form for tests that send or publish messages themselves: version 1, an
 * UPDATE made now, no user and no trace unless given.
 *
 * @example
 * const message = testChangeMessage({ changeNumber: '7', objectId: 'trainee-1', objectType: 'trainee' });
 */
export function testChangeMessage(fields: {
  changeNumber: string;
  objectId: string;
  /** @defaultValue 'trainee' */
  objectType?: string;
  /** @defaultValue null */
  userId?: string | null;
}): ChangeMessage {
  return {
    changeNumber: fields.changeNumber,
    objectType: fields.objectType ?? 'trainee',
    objectId: fields.objectId,
    objectVersion: 1,
    changeType: 'UPDATE',
    timestamp: new Date().toISOString(),
    userId: fields.userId ?? null,
    traceparent: null,
  };
}
