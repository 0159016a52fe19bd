import { describe, expect, it } from 'vitest';
import { resolveGmcNumberClaims } from '../../src/rules/index.js';
import { aMembership, aTrainee, TODAY, YESTERDAY } from './fixtures.js';

const current = [aMembership()];
const ended = [aMembership({ endDate: YESTERDAY })];

describe('resolveGmcNumberClaims', () => {
  it('keeps the only trainee with no conflicts', () => {
    const only = aTrainee({ tcsPersonId: 5 });
    expect(resolveGmcNumberClaims([only], TODAY)).toEqual({ trainee: only, conflictingTcsPersonIds: [] });
  });

  it('keeps the one with a current membership over higher ids without one', () => {
    const withCurrent = aTrainee({ tcsPersonId: 1, programmeMemberships: current });
    const higherEnded = aTrainee({ tcsPersonId: 9, programmeMemberships: ended });
    const higherNone = aTrainee({ tcsPersonId: 7, programmeMemberships: [] });
    const claim = resolveGmcNumberClaims([higherEnded, withCurrent, higherNone], TODAY);
    expect(claim.trainee).toBe(withCurrent);
    expect(claim.conflictingTcsPersonIds).toEqual([9, 7]);
  });

  it('keeps the highest id when several have a current membership', () => {
    const low = aTrainee({ tcsPersonId: 3, programmeMemberships: current });
    const high = aTrainee({ tcsPersonId: 8, programmeMemberships: current });
    const noCurrent = aTrainee({ tcsPersonId: 10, programmeMemberships: ended });
    const claim = resolveGmcNumberClaims([low, noCurrent, high], TODAY);
    expect(claim.trainee).toBe(high);
    expect(claim.conflictingTcsPersonIds).toEqual([10, 3]);
  });

  it('keeps the highest id when none has a current membership, whatever the input order', () => {
    const a = aTrainee({ tcsPersonId: 2, programmeMemberships: ended });
    const b = aTrainee({ tcsPersonId: 11, programmeMemberships: [] });
    const c = aTrainee({ tcsPersonId: 4, programmeMemberships: ended });
    for (const order of [
      [a, b, c],
      [c, a, b],
      [b, c, a],
    ]) {
      expect(resolveGmcNumberClaims(order, TODAY)).toEqual({ trainee: b, conflictingTcsPersonIds: [4, 2] });
    }
  });

  it('treats a membership starting tomorrow as not current when choosing', () => {
    const startsTomorrow = aTrainee({
      tcsPersonId: 50,
      programmeMemberships: [aMembership({ startDate: '2026-06-18' })],
    });
    const endsToday = aTrainee({ tcsPersonId: 1, programmeMemberships: [aMembership({ endDate: TODAY })] });
    expect(resolveGmcNumberClaims([startsTomorrow, endsToday], TODAY).trainee).toBe(endsToday);
  });

  it('drops dummy and placeholder people before choosing, and does not list them as conflicts', () => {
    const dummy = aTrainee({ tcsPersonId: 99, role: 'Dummy', programmeMemberships: current });
    const placeholder = aTrainee({ tcsPersonId: 98, role: 'Placeholder' });
    const real = aTrainee({ tcsPersonId: 1, programmeMemberships: [] });
    expect(resolveGmcNumberClaims([dummy, placeholder, real], TODAY)).toEqual({
      trainee: real,
      conflictingTcsPersonIds: [],
    });
  });

  it('keeps no one when no claimant is a trainee, or there are none', () => {
    expect(resolveGmcNumberClaims([aTrainee({ role: 'placeholder' })], TODAY)).toEqual({
      trainee: null,
      conflictingTcsPersonIds: [],
    });
    expect(resolveGmcNumberClaims([], TODAY)).toEqual({ trainee: null, conflictingTcsPersonIds: [] });
  });

  it('counts a person delivered twice once', () => {
    const twice = aTrainee({ tcsPersonId: 7 });
    const other = aTrainee({ tcsPersonId: 3 });
    expect(resolveGmcNumberClaims([twice, other, { ...twice }], TODAY).conflictingTcsPersonIds).toEqual([3]);
  });
});
