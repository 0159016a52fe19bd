import { describe, expect, it } from 'vitest';
import { derivePlacementGrade, isCurrentPlacement } from '../../src/rules/index.js';
import { aPlacement, TODAY, TOMORROW, YESTERDAY } from './fixtures.js';

describe('isCurrentPlacement', () => {
  it.each([
    ['starts today', TODAY, '2027-01-01', true],
    ['ends today', '2025-01-01', TODAY, true],
    ['starts tomorrow', TOMORROW, '2027-01-01', false],
    ['ended yesterday', '2025-01-01', YESTERDAY, false],
    ['is open-ended', '2025-01-01', null, true],
    ['has no start date', null, '2027-01-01', false],
  ])('a placement that %s: %s', (_label, startDate, endDate, expected) => {
    expect(isCurrentPlacement({ startDate, endDate }, TODAY)).toBe(expected);
  });
});

describe('derivePlacementGrade', () => {
  it('is the grade of the one current placement', () => {
    expect(derivePlacementGrade([aPlacement({ gradeId: '279' })], TODAY)).toBe('279');
  });

  it('joins the distinct grades of the current placements with " | "', () => {
    const placements = [
      aPlacement({ gradeId: '300', startDate: '2026-01-01' }),
      aPlacement({ gradeId: '279', startDate: '2026-02-01' }),
      aPlacement({ gradeId: '300', startDate: '2026-03-01' }),
    ];
    expect(derivePlacementGrade(placements, TODAY)).toBe('300 | 279');
  });

  it('lists grades by start date, then grade id, whatever the input order', () => {
    const later = aPlacement({ gradeId: '100', startDate: '2026-03-01' });
    const earlierB = aPlacement({ gradeId: '300', startDate: '2026-01-01' });
    const earlierA = aPlacement({ gradeId: '200', startDate: '2026-01-01' });
    expect(derivePlacementGrade([later, earlierB, earlierA], TODAY)).toBe('200 | 300 | 100');
    expect(derivePlacementGrade([earlierA, later, earlierB], TODAY)).toBe('200 | 300 | 100');
  });

  it('leaves out placements that ended yesterday or start tomorrow', () => {
    const placements = [
      aPlacement({ gradeId: 'ended', endDate: YESTERDAY }),
      aPlacement({ gradeId: 'future', startDate: TOMORROW }),
      aPlacement({ gradeId: 'current' }),
    ];
    expect(derivePlacementGrade(placements, TODAY)).toBe('current');
  });

  it('skips blank grade ids and trims the others', () => {
    const placements = [aPlacement({ gradeId: null }), aPlacement({ gradeId: '  ' }), aPlacement({ gradeId: ' 300 ' })];
    expect(derivePlacementGrade(placements, TODAY)).toBe('300');
  });

  it('is null without a current placement or without any grade', () => {
    expect(derivePlacementGrade([], TODAY)).toBe(null);
    expect(derivePlacementGrade([aPlacement({ endDate: YESTERDAY })], TODAY)).toBe(null);
    expect(derivePlacementGrade([aPlacement({ gradeId: null })], TODAY)).toBe(null);
  });
});
