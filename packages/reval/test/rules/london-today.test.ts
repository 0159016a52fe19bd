import { describe, expect, it } from 'vitest';
import { londonToday } from '../../src/rules/index.js';

describe('londonToday', () => {
  it.each([
    // BST (UTC+1): London's midnight is 23:00 UTC the day before.
    ['2026-07-15T22:59:59.999Z', '2026-07-15'],
    ['2026-07-15T23:00:00.000Z', '2026-07-16'],
    ['2026-07-15T23:30:00.000Z', '2026-07-16'],
    ['2026-07-16T00:00:00.000Z', '2026-07-16'],
    // GMT (UTC+0): London's midnight is midnight UTC.
    ['2026-01-15T23:30:00.000Z', '2026-01-15'],
    ['2026-01-15T23:59:59.999Z', '2026-01-15'],
    ['2026-01-16T00:00:00.000Z', '2026-01-16'],
    // New Year in GMT.
    ['2025-12-31T23:59:59.999Z', '2025-12-31'],
    ['2026-01-01T00:00:00.000Z', '2026-01-01'],
    // Clocks go forward at 01:00 UTC on 2026-03-29 and back at 01:00 UTC on 2026-10-25.
    ['2026-03-28T23:30:00.000Z', '2026-03-28'],
    ['2026-03-29T23:30:00.000Z', '2026-03-30'],
    ['2026-10-24T23:30:00.000Z', '2026-10-25'],
    ['2026-10-25T23:30:00.000Z', '2026-10-25'],
  ])('at %s is %s in London', (instant, expected) => {
    expect(londonToday(new Date(instant))).toBe(expected);
  });

  it('rejects an invalid Date with DATE_INVALID', () => {
    expect(() => londonToday(new Date('not a date'))).toThrow(expect.objectContaining({ code: 'DATE_INVALID' }));
  });
});
