import { ChangeflowError } from '@changeflow/errors';
import { describe, expect, it } from 'vitest';
import { addCalendarMonths, addDays, assertIsoDate, isIsoDate } from '../../src/rules/index.js';

describe('addDays', () => {
  it.each([
    ['2026-06-17', -1, '2026-06-16'],
    ['2026-06-17', 1, '2026-06-18'],
    ['2026-03-01', -1, '2026-02-28'],
    ['2024-03-01', -1, '2024-02-29'],
    ['2026-01-01', -1, '2025-12-31'],
    ['2025-12-31', 1, '2026-01-01'],
    ['2026-03-29', 1, '2026-03-30'],
    ['2026-10-25', -1, '2026-10-24'],
    ['2026-06-17', 0, '2026-06-17'],
    ['2026-06-17', 365, '2027-06-17'],
  ])('moves %s by %i days to %s', (date, days, expected) => {
    expect(addDays(date, days)).toBe(expected);
  });

  it('keeps four-digit years below 100 instead of reading them as 19xx', () => {
    expect(addDays('0050-01-01', 1)).toBe('0050-01-02');
  });

  it('rejects a date that is not YYYY-MM-DD with DATE_INVALID', () => {
    expect(() => addDays('2026-6-17', 1)).toThrow(ChangeflowError);
    expect(() => addDays('2026-6-17', 1)).toThrow(/"2026-6-17" is not a calendar date YYYY-MM-DD/);
  });
});

describe('addCalendarMonths', () => {
  it.each([
    ['2026-03-15', -1, '2026-02-15'],
    ['2026-03-31', -1, '2026-02-28'],
    ['2024-03-31', -1, '2024-02-29'],
    ['2026-05-31', -1, '2026-04-30'],
    ['2026-01-31', -1, '2025-12-31'],
    ['2026-01-15', -1, '2025-12-15'],
    ['2026-12-31', 2, '2027-02-28'],
    ['2026-02-28', 1, '2026-03-28'],
    ['2026-06-17', -12, '2025-06-17'],
    ['2024-02-29', 12, '2025-02-28'],
  ])('moves %s by %i calendar months to %s, clamped at month end', (date, months, expected) => {
    expect(addCalendarMonths(date, months)).toBe(expected);
  });

  it('rejects an impossible date with DATE_INVALID', () => {
    expect(() => addCalendarMonths('2026-02-30', -1)).toThrow(expect.objectContaining({ code: 'DATE_INVALID' }));
  });
});

describe('isIsoDate and assertIsoDate', () => {
  it.each(['2026-06-17', '2024-02-29', '2000-02-29', '0001-01-01'])('accepts %s', (date) => {
    expect(isIsoDate(date)).toBe(true);
    expect(() => assertIsoDate(date)).not.toThrow();
  });

  it.each([
    '2026-6-17',
    '2026-06-17T00:00:00Z',
    '17/06/2026',
    '',
    '2026-13-01',
    '2026-00-10',
    '2026-06-00',
    '2026-06-31',
    '2025-02-29',
    '1900-02-29',
  ])('rejects %j', (date) => {
    expect(isIsoDate(date)).toBe(false);
    expect(() => assertIsoDate(date, 'today')).toThrow(/^today = /);
  });
});
