import { describe, expect, it } from 'vitest';
import {
  currentMemberships,
  hasCurrentMembership,
  isCurrentMembership,
  isEndedMembership,
  latestCurriculumEndDate,
  referenceMembership,
} from '../../src/rules/index.js';
import { aMembership, TODAY, TOMORROW, YESTERDAY } from './fixtures.js';

describe('isCurrentMembership', () => {
  it.each([
    ['starts today', TODAY, '2027-01-01', true],
    ['ends today', '2025-01-01', TODAY, true],
    ['starts and ends today', TODAY, TODAY, true],
    ['started yesterday', YESTERDAY, '2027-01-01', true],
    ['starts tomorrow', TOMORROW, '2027-01-01', false],
    ['ended yesterday', '2025-01-01', YESTERDAY, false],
    ['ends tomorrow', '2025-01-01', TOMORROW, true],
    ['has no end date (open-ended) and has started', '2025-01-01', null, true],
    ['has no end date and starts tomorrow', TOMORROW, null, false],
    ['has no start date', null, '2027-01-01', false],
    ['has neither date', null, null, false],
    ['ends before it starts', TOMORROW, YESTERDAY, false],
  ])('a membership that %s: %s', (_label, startDate, endDate, expected) => {
    expect(isCurrentMembership({ startDate, endDate }, TODAY)).toBe(expected);
  });
});

describe('isEndedMembership', () => {
  it.each([
    ['ended yesterday', '2025-01-01', YESTERDAY, true],
    ['ends today', '2025-01-01', TODAY, false],
    ['is open-ended', '2025-01-01', null, false],
    ['has no start date but ended yesterday', null, YESTERDAY, true],
    ['starts tomorrow but has an end date in the past (not started)', TOMORROW, YESTERDAY, false],
  ])('a membership that %s: %s', (_label, startDate, endDate, expected) => {
    expect(isEndedMembership({ startDate, endDate }, TODAY)).toBe(expected);
  });
});

describe('currentMemberships', () => {
  it('keeps only the current memberships', () => {
    const current = aMembership({ programmeName: 'Current' });
    const ended = aMembership({ programmeName: 'Ended', startDate: '2020-01-01', endDate: YESTERDAY });
    const future = aMembership({ programmeName: 'Future', startDate: TOMORROW, endDate: '2030-01-01' });
    expect(currentMemberships([ended, current, future], TODAY)).toEqual([current]);
  });

  it('orders several current memberships by start date, then programme name, whatever the input order', () => {
    const b = aMembership({ programmeName: 'B', startDate: '2025-01-01' });
    const a = aMembership({ programmeName: 'A', startDate: '2025-01-01' });
    const early = aMembership({ programmeName: 'Z', startDate: '2024-01-01' });
    expect(currentMemberships([b, a, early], TODAY).map((m) => m.programmeName)).toEqual(['Z', 'A', 'B']);
    expect(currentMemberships([a, early, b], TODAY).map((m) => m.programmeName)).toEqual(['Z', 'A', 'B']);
  });

  it('is empty without memberships', () => {
    expect(currentMemberships([], TODAY)).toEqual([]);
  });

  it('does not reorder the array it was given', () => {
    const input = [aMembership({ programmeName: 'B' }), aMembership({ programmeName: 'A' })];
    currentMemberships(input, TODAY);
    expect(input.map((m) => m.programmeName)).toEqual(['B', 'A']);
  });
});

describe('hasCurrentMembership', () => {
  it('is true with a current membership and false with only ended or future ones', () => {
    expect(hasCurrentMembership([aMembership()], TODAY)).toBe(true);
    expect(
      hasCurrentMembership(
        [aMembership({ endDate: YESTERDAY }), aMembership({ startDate: TOMORROW, endDate: null })],
        TODAY,
      ),
    ).toBe(false);
    expect(hasCurrentMembership([], TODAY)).toBe(false);
  });
});

describe('referenceMembership', () => {
  it('is the one current membership when there is exactly one', () => {
    const current = aMembership({ programmeName: 'Current' });
    const ended = aMembership({ programmeName: 'Ended', startDate: '2020-01-01', endDate: YESTERDAY });
    expect(referenceMembership([ended, current], TODAY)).toBe(current);
  });

  it('is the current open-ended membership when it is the only current one', () => {
    const openEnded = aMembership({ endDate: null });
    expect(referenceMembership([openEnded], TODAY)).toBe(openEnded);
  });

  it('is none when several memberships are current', () => {
    expect(referenceMembership([aMembership({ programmeName: 'A' }), aMembership({ programmeName: 'B' })], TODAY)).toBe(
      null,
    );
  });

  it('is the most recently ended membership when none is current', () => {
    const older = aMembership({ programmeName: 'Older', startDate: '2019-01-01', endDate: '2022-01-01' });
    const recent = aMembership({ programmeName: 'Recent', startDate: '2022-01-02', endDate: YESTERDAY });
    expect(referenceMembership([recent, older], TODAY)).toBe(recent);
    expect(referenceMembership([older, recent], TODAY)).toBe(recent);
  });

  it('ignores a membership that has not started yet, even when it is the only other one', () => {
    const ended = aMembership({ programmeName: 'Ended', startDate: '2019-01-01', endDate: '2022-01-01' });
    const future = aMembership({ programmeName: 'Future', startDate: TOMORROW, endDate: '2030-01-01' });
    expect(referenceMembership([future, ended], TODAY)).toBe(ended);
    expect(referenceMembership([future], TODAY)).toBe(null);
  });

  it('ignores a not-yet-started membership whose end date is (wrongly) in the past', () => {
    const inverted = aMembership({ startDate: TOMORROW, endDate: YESTERDAY });
    expect(referenceMembership([inverted], TODAY)).toBe(null);
  });

  it('counts a membership with no start date that ended as ended', () => {
    const noStart = aMembership({ startDate: null, endDate: YESTERDAY });
    expect(referenceMembership([noStart], TODAY)).toBe(noStart);
  });

  it('ignores a membership with no start date that has not ended', () => {
    expect(referenceMembership([aMembership({ startDate: null, endDate: '2030-01-01' })], TODAY)).toBe(null);
    expect(referenceMembership([aMembership({ startDate: null, endDate: null })], TODAY)).toBe(null);
  });

  it('is none without memberships', () => {
    expect(referenceMembership([], TODAY)).toBe(null);
  });

  it('uses a membership that ends today as current, not ended', () => {
    const endsToday = aMembership({ programmeName: 'Ends today', endDate: TODAY });
    const ended = aMembership({ programmeName: 'Ended', endDate: YESTERDAY });
    expect(referenceMembership([ended, endsToday], TODAY)).toBe(endsToday);
  });

  it('breaks a tie on end date by the later start date, whatever the input order', () => {
    const earlyStart = aMembership({ programmeName: 'Early', startDate: '2020-01-01', endDate: YESTERDAY });
    const lateStart = aMembership({ programmeName: 'Late', startDate: '2021-01-01', endDate: YESTERDAY });
    expect(referenceMembership([earlyStart, lateStart], TODAY)).toBe(lateStart);
    expect(referenceMembership([lateStart, earlyStart], TODAY)).toBe(lateStart);
  });

  it('breaks a tie on both dates by programme name, then type, owner and latest curriculum end date', () => {
    const a = aMembership({ programmeName: 'A', endDate: YESTERDAY });
    const b = aMembership({ programmeName: 'B', endDate: YESTERDAY });
    expect(referenceMembership([b, a], TODAY)).toBe(a);

    const lat = aMembership({ membershipType: 'LAT', endDate: YESTERDAY });
    const sub = aMembership({ membershipType: 'SUBSTANTIVE', endDate: YESTERDAY });
    expect(referenceMembership([sub, lat], TODAY)).toBe(lat);

    const east = aMembership({ programmeOwner: 'East Midlands', endDate: YESTERDAY });
    const west = aMembership({ programmeOwner: 'West Midlands', endDate: YESTERDAY });
    expect(referenceMembership([west, east], TODAY)).toBe(east);

    const shortCurriculum = aMembership({ endDate: YESTERDAY, curricula: [{ curriculumEndDate: '2026-01-01' }] });
    const longCurriculum = aMembership({ endDate: YESTERDAY, curricula: [{ curriculumEndDate: '2026-06-01' }] });
    expect(referenceMembership([shortCurriculum, longCurriculum], TODAY)).toBe(longCurriculum);
  });
});

describe('latestCurriculumEndDate', () => {
  it('is the latest curriculum end date', () => {
    expect(
      latestCurriculumEndDate({
        curricula: [
          { curriculumEndDate: '2027-01-01' },
          { curriculumEndDate: '2028-03-01' },
          { curriculumEndDate: null },
        ],
      }),
    ).toBe('2028-03-01');
  });

  it('is null without curricula or without any end date', () => {
    expect(latestCurriculumEndDate({ curricula: [] })).toBe(null);
    expect(latestCurriculumEndDate({ curricula: [{ curriculumEndDate: null }] })).toBe(null);
  });
});
