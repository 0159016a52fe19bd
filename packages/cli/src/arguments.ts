import { InvalidArgumentError } from 'commander';
import { parseSince } from './since.js';

/**
 * Parsers of option values for commander: a bad value becomes commander's "argument … is invalid"
 * error, with what is accepted, and exit code 2.
 */

/** A number above 0 (`--rate`, `--watch`). */
export function positiveNumber(what: string): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (!/^\d+(\.\d+)?$/.test(value) || !(parsed > 0)) {
      throw new InvalidArgumentError(`must be a number of ${what} above 0, e.g. 10 or 0.5`);
    }
    return parsed;
  };
}

/** A whole number from 1 (`--limit`, `--page-size`, `--max-passes`). */
export function wholeNumber(what: string): (value: string) => number {
  return (value) => {
    if (!/^[1-9]\d{0,8}$/.test(value)) throw new InvalidArgumentError(`must be a whole number of ${what}, 1 or more`);
    return Number(value);
  };
}

/** The highest change number: `change_number` is a Postgres bigint. */
const MAX_CHANGE_NUMBER = 9_223_372_036_854_775_807n;

/** A change number: a bigint as a decimal string from 0 to {@link MAX_CHANGE_NUMBER} (`--from`, `--to`). */
export function changeNumber(flag: string): (value: string) => string {
  return (value) => {
    if (!/^\d{1,19}$/.test(value) || BigInt(value) > MAX_CHANGE_NUMBER) {
      throw new InvalidArgumentError(
        `${flag} must be a change number from 0 to ${MAX_CHANGE_NUMBER} (digits only, e.g. 1 or 120345)`,
      );
    }
    return BigInt(value).toString();
  };
}

/** One of `known` (`--type`): an unknown value lists them, rather than silently matching nothing. */
export function oneOf(what: string, known: readonly string[]): (value: string) => string {
  return (value) => {
    if (!known.includes(value)) {
      throw new InvalidArgumentError(`unknown ${what} ${JSON.stringify(value)}: the ${what}s are ${known.join(', ')}`);
    }
    return value;
  };
}

/** `--since`: an ISO time or an age before now. */
export function sinceTime(value: string): Date {
  const parsed = parseSince(value, new Date());
  if (!parsed) {
    throw new InvalidArgumentError('must be an ISO time (2024-05-01T12:00:00Z) or an age such as 90s, 15m, 2h or 1d');
  }
  return parsed;
}
