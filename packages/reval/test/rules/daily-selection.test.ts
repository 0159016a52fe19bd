import { describe, expect, it } from 'vitest';
import { addDays, becamePastCompletedToday, isAffectedToday, isPastCompleted } from '../../src/rules/index.js';
import { aMembership, aPlacement, aRecommendation, TODAY, TOMORROW, YESTERDAY } from './fixtures.js';

const untouched = { programmeMemberships: [aMembership()], placements: [aPlacement()] };

describe('isAffectedToday', () => {
  it('is false when nothing started today or ended yesterday', () => {
    expect(isAffectedToday(untouched, TODAY)).toBe(false);
    expect(isAffectedToday({ programmeMemberships: [], placements: [] }, TODAY)).toBe(false);
  });

  it('is true when a membership started today', () => {
    const trainee = { ...untouched, programmeMemberships: [aMembership(), aMembership({ startDate: TODAY })] };
    expect(isAffectedToday(trainee, TODAY)).toBe(true);
  });

  it('is true when a membership ended yesterday', () => {
    expect(isAffectedToday({ ...untouched, programmeMemberships: [aMembership({ endDate: YESTERDAY })] }, TODAY)).toBe(
      true,
    );
  });

  it('is true when a placement started today or ended yesterday', () => {
    expect(isAffectedToday({ ...untouched, placements: [aPlacement({ startDate: TODAY })] }, TODAY)).toBe(true);
    expect(isAffectedToday({ ...untouched, placements: [aPlacement({ endDate: YESTERDAY })] }, TODAY)).toBe(true);
  });

  it('is false for a start yesterday or tomorrow, or an end today or two days ago', () => {
    const dates = [
      { startDate: YESTERDAY, endDate: null },
      { startDate: TOMORROW, endDate: null },
      { startDate: null, endDate: TODAY },
      { startDate: null, endDate: addDays(TODAY, -2) },
    ];
    for (const { startDate, endDate } of dates) {
      expect(
        isAffectedToday({ programmeMemberships: [aMembership({ startDate, endDate })], placements: [] }, TODAY),
      ).toBe(false);
      expect(
        isAffectedToday({ programmeMemberships: [], placements: [aPlacement({ startDate, endDate })] }, TODAY),
      ).toBe(false);
    }
  });

  it('finds the previous day across a month boundary', () => {
    const trainee = { programmeMemberships: [aMembership({ endDate: '2026-02-28' })], placements: [] };
    expect(isAffectedToday(trainee, '2026-03-01')).toBe(true);
  });

  it('rejects a malformed today', () => {
    expect(() => isAffectedToday(untouched, '2026-6-17')).toThrow(expect.objectContaining({ code: 'DATE_INVALID' }));
  });
});

describe('becamePastCompletedToday', () => {
  const approved = (actualSubmissionDate: string) => aRecommendation({ outcome: 'APPROVED', actualSubmissionDate });

  it('is true on the first day the recommendation is past completed', () => {
    // Past completed from 2026-06-18: oneMonthBefore('2026-06-18') = 2026-05-18 > 2026-05-17.
    expect(becamePastCompletedToday(approved('2026-05-17'), 'YES', '2026-06-18')).toBe(true);
  });

  it('is false the day before and the day after', () => {
    expect(becamePastCompletedToday(approved('2026-05-17'), 'YES', '2026-06-17')).toBe(false);
    expect(becamePastCompletedToday(approved('2026-05-17'), 'YES', '2026-06-19')).toBe(false);
  });

  it('is false when it can never be past completed', () => {
    expect(becamePastCompletedToday(approved('2026-05-17'), 'NO', '2026-06-18')).toBe(false);
    expect(
      becamePastCompletedToday(
        aRecommendation({ outcome: 'REJECTED', actualSubmissionDate: '2026-05-17' }),
        'YES',
        '2026-06-18',
      ),
    ).toBe(false);
    expect(
      becamePastCompletedToday(
        aRecommendation({ outcome: 'APPROVED', actualSubmissionDate: null }),
        'YES',
        '2026-06-18',
      ),
    ).toBe(false);
  });

  it('catches every submission date the clamped month skips: 29, 30 and 31 January all become past completed on 1 March', () => {
    for (const submitted of ['2026-01-28', '2026-01-29', '2026-01-30', '2026-01-31']) {
      expect(becamePastCompletedToday(approved(submitted), 'YES', '2026-03-01')).toBe(true);
      expect(becamePastCompletedToday(approved(submitted), 'YES', '2026-02-28')).toBe(false);
    }
  });

  it('flags each approved submission on exactly one day of a year', () => {
    const days = Array.from({ length: 500 }, (_, i) => addDays('2026-01-01', i));
    for (const submitted of ['2026-01-31', '2026-02-28', '2026-03-31', '2026-07-15', '2026-12-31']) {
      const flagged = days.filter((day) => becamePastCompletedToday(approved(submitted), 'YES', day));
      expect(flagged).toHaveLength(1);
      const [day] = flagged;
      expect(day !== undefined && isPastCompleted(approved(submitted), 'YES', day)).toBe(true);
    }
  });
});
