import { describe, expect, it } from 'vitest';
import { isValidGmcNumber } from '../../src/rules/index.js';

describe('isValidGmcNumber', () => {
  it.each(['7000001', '1234567', 'A123456', ' 7000001 ', 'unknown1', 'nan'])('accepts %j', (value) => {
    expect(isValidGmcNumber(value)).toBe(true);
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['empty', ''],
    ['blank', '   '],
    ['unknown', 'unknown'],
    ['UNKNOWN', 'UNKNOWN'],
    ['Unknown padded', '  Unknown '],
    ['na', 'na'],
    ['NA', 'NA'],
    ['Na padded', ' Na\t'],
    ['n/a', 'n/a'],
    ['N/A', 'N/A'],
    ['N/a padded', ' N/a '],
  ])('rejects %s', (_label, value) => {
    expect(isValidGmcNumber(value)).toBe(false);
  });

  it.each([
    ['inside', '700\u00a00001'],
    ['trailing', '7000001\u00a0'],
    ['leading', '\u00a07000001'],
    ['alone', '\u00a0'],
  ])('rejects a value with a non-breaking space %s', (_where, value) => {
    expect(isValidGmcNumber(value)).toBe(false);
  });

  it.each([
    ['a space inside', '700 0001'],
    ['quotes and spaces', "1' OR '1'='1"],
    ['a path', '../../etc'],
    ['a right-to-left override', 'A\u202e123'],
    ['a NUL', '700\u00000001'],
    ['a zero-width space', '700\u200b0001'],
    ['more than 50 characters', '1'.repeat(51)],
  ])('rejects %s: a GMC number is letters and digits', (_label, value) => {
    expect(isValidGmcNumber(value)).toBe(false);
  });
});
