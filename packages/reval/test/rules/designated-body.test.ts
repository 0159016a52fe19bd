import { describe, expect, it } from 'vitest';
import { DEFAULT_DESIGNATED_BODIES } from '../../src/designated-bodies.js';
import { findDesignatedBody } from '../../src/rules/index.js';

describe('findDesignatedBody', () => {
  it.each([
    ['Kent, Surrey and Sussex', '1-1RUZV1D'],
    ['North West London', '1-1RUZV6H'],
    ['North Central and East London', '1-1RUZV4H'],
    ['South London', '1-1RSSQ5L'],
    ['East Midlands', '1-1RSSPZ7'],
    ['East of England', '1-1RSSQ05'],
    ['North East', '1-1RSSQ1B'],
    ['Thames Valley', '1-1RSSQ6R'],
    ['Yorkshire and the Humber', '1-1RSG4X0'],
    ['West Midlands', '1-1RUZUYF'],
    ['South West', '1-1RUZUVB'],
    ['Wessex', '1-1RUZUSF'],
    ['North West', '1-1RSSQ2H'],
    ['NIMDTA', '1-25U-830'],
  ])('maps the owner %j to %s', (owner, code) => {
    expect(findDesignatedBody(owner, DEFAULT_DESIGNATED_BODIES)).toBe(code);
  });

  it('maps "London LETBs" to the first London code in the table', () => {
    expect(findDesignatedBody('London LETBs', DEFAULT_DESIGNATED_BODIES)).toBe('1-1RUZV6H');
  });

  it('takes the first match of an operator table', () => {
    const table = [
      { code: 'FIRST', owner: 'London LETBs' },
      { code: 'SECOND', owner: 'London LETBs' },
    ];
    expect(findDesignatedBody('London LETBs', table)).toBe('FIRST');
  });

  it('matches owners ignoring case and surrounding whitespace', () => {
    expect(findDesignatedBody('  kent, surrey AND sussex ', DEFAULT_DESIGNATED_BODIES)).toBe('1-1RUZV1D');
  });

  it('is null for an unknown, blank or missing owner', () => {
    expect(findDesignatedBody('Scotland', DEFAULT_DESIGNATED_BODIES)).toBe(null);
    expect(findDesignatedBody('North', DEFAULT_DESIGNATED_BODIES)).toBe(null);
    expect(findDesignatedBody('  ', DEFAULT_DESIGNATED_BODIES)).toBe(null);
    expect(findDesignatedBody(null, DEFAULT_DESIGNATED_BODIES)).toBe(null);
  });

  it('is null with an empty table', () => {
    expect(findDesignatedBody('Wessex', [])).toBe(null);
  });
});
