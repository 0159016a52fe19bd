import { describe, expect, it } from 'vitest';
import { MAX_RETRY_AFTER_MS, retryAfterMs } from '../src/support/retry-after.js';

describe('retryAfterMs', () => {
  it('reads delta-seconds and an HTTP date', () => {
    expect(retryAfterMs('2')).toBe(2000);
    const now = Date.parse('2026-06-15T12:00:00Z');
    expect(retryAfterMs('Mon, 15 Jun 2026 12:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('Mon, 15 Jun 2026 11:00:00 GMT', now)).toBe(0);
  });

  it('caps a long wait and ignores an absent or unreadable header', () => {
    expect(retryAfterMs('86400')).toBe(MAX_RETRY_AFTER_MS);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});
