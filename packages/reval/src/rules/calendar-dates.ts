import { ChangeflowError } from '@changeflow/errors';
import type { IsoDate } from '../model.js';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

/** True when `value` is a real calendar date written `YYYY-MM-DD` (so `2026-02-30` is not). */
export function isIsoDate(value: string): boolean {
  return parseIsoDate(value) !== null;
}

/**
 * Throws unless `value` is a real calendar date `YYYY-MM-DD`. The rules compare dates as strings, so
 * a `today` such as `2026-3-1` would silently give wrong answers; entry points check it once.
 *
 * @throws ChangeflowError `DATE_INVALID`
 */
export function assertIsoDate(value: string, name = 'date'): void {
  if (parseIsoDate(value) === null) throw invalidDate(value, name);
}

/**
 * The calendar date `days` days after `date` (before it when negative).
 *
 * @example addDays('2026-03-01', -1) // '2026-02-28'
 * @throws ChangeflowError `DATE_INVALID` when `date` is not `YYYY-MM-DD`
 */
export function addDays(date: IsoDate, days: number): IsoDate {
  const parsed = parseIsoDate(date);
  if (parsed === null) throw invalidDate(date, 'date');
  // setUTCFullYear, not Date.UTC: the latter reads years 0-99 as 1900-1999.
  const start = new Date(0);
  start.setUTCFullYear(parsed.year, parsed.month - 1, parsed.day);
  return formatUtc(new Date(start.getTime() + days * MS_PER_DAY));
}

/**
 * The same day `months` calendar months later (earlier when negative), clamped to the last day of
 * the target month: `2026-03-31` minus one month is `2026-02-28`, `2024-03-31` minus one is `2024-02-29`.
 *
 * @throws ChangeflowError `DATE_INVALID` when `date` is not `YYYY-MM-DD`
 */
export function addCalendarMonths(date: IsoDate, months: number): IsoDate {
  const parsed = parseIsoDate(date);
  if (parsed === null) throw invalidDate(date, 'date');
  const monthIndex = parsed.year * 12 + (parsed.month - 1) + months;
  const year = Math.floor(monthIndex / 12);
  const month = monthIndex - year * 12 + 1;
  const day = Math.min(parsed.day, daysInMonth(year, month));
  return formatParts(year, month, day);
}

interface DateParts {
  year: number;
  month: number;
  day: number;
}

function parseIsoDate(value: string): DateParts | null {
  const match = ISO_DATE.exec(value);
  if (match === null) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return { year, month, day };
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function formatUtc(date: Date): IsoDate {
  return formatParts(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
}

function formatParts(year: number, month: number, day: number): IsoDate {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function invalidDate(value: string, name: string): ChangeflowError {
  return new ChangeflowError(
    'DATE_INVALID',
    `${name} = ${JSON.stringify(value)} is not a calendar date YYYY-MM-DD: pass a date such as londonToday(new Date())`,
  );
}
