import { describe, expect, it } from 'vitest';
import { DEFAULT_DESIGNATED_BODIES } from '../../src/designated-bodies.js';
import { deriveProgrammeFields } from '../../src/rules/index.js';
import { aMembership, TODAY, TOMORROW, YESTERDAY } from './fixtures.js';

const ALL_NULL = {
  programmeName: null,
  membershipType: null,
  membershipStartDate: null,
  membershipEndDate: null,
  curriculumEndDate: null,
  programmeOwner: null,
  tcsDesignatedBody: null,
};

describe('deriveProgrammeFields', () => {
  it('takes every field from the one current membership', () => {
    const membership = aMembership({
      programmeName: 'Cardiology',
      membershipType: 'LAT',
      startDate: '2025-08-06',
      endDate: '2027-08-05',
      programmeOwner: 'Wessex',
      curricula: [{ curriculumEndDate: '2027-08-05' }, { curriculumEndDate: '2029-02-01' }],
    });
    expect(deriveProgrammeFields([membership], TODAY, DEFAULT_DESIGNATED_BODIES)).toEqual({
      programmeName: 'Cardiology',
      membershipType: 'LAT',
      membershipStartDate: '2025-08-06',
      membershipEndDate: '2027-08-05',
      curriculumEndDate: '2029-02-01',
      programmeOwner: 'Wessex',
      tcsDesignatedBody: '1-1RUZUSF',
    });
  });

  it('joins the names of several current memberships and leaves the reference fields null', () => {
    const memberships = [
      aMembership({ programmeName: 'Surgery', startDate: '2025-09-01' }),
      aMembership({ programmeName: 'Anaesthetics', startDate: '2025-08-01' }),
    ];
    expect(deriveProgrammeFields(memberships, TODAY, DEFAULT_DESIGNATED_BODIES)).toEqual({
      ...ALL_NULL,
      programmeName: 'Anaesthetics | Surgery',
    });
  });

  it('lists a programme name shared by several current memberships once', () => {
    const memberships = [
      aMembership({ programmeName: 'Surgery', membershipType: 'LAT' }),
      aMembership({ programmeName: 'Surgery', membershipType: 'SUBSTANTIVE' }),
    ];
    expect(deriveProgrammeFields(memberships, TODAY, DEFAULT_DESIGNATED_BODIES).programmeName).toBe('Surgery');
  });

  it('shows the most recently ended membership when none is current', () => {
    const memberships = [
      aMembership({ programmeName: 'Old', startDate: '2018-01-01', endDate: '2020-01-01' }),
      aMembership({
        programmeName: 'Finished',
        membershipType: 'VISITOR',
        startDate: '2023-01-01',
        endDate: YESTERDAY,
        programmeOwner: 'London LETBs',
        curricula: [],
      }),
      aMembership({ programmeName: 'Next', startDate: TOMORROW, endDate: '2030-01-01' }),
    ];
    expect(deriveProgrammeFields(memberships, TODAY, DEFAULT_DESIGNATED_BODIES)).toEqual({
      programmeName: 'Finished',
      membershipType: 'VISITOR',
      membershipStartDate: '2023-01-01',
      membershipEndDate: YESTERDAY,
      curriculumEndDate: null,
      programmeOwner: 'London LETBs',
      tcsDesignatedBody: '1-1RUZV6H',
    });
  });

  it('ignores a membership starting tomorrow beside a current one', () => {
    const memberships = [
      aMembership({ programmeName: 'Now' }),
      aMembership({ programmeName: 'Soon', startDate: TOMORROW }),
    ];
    expect(deriveProgrammeFields(memberships, TODAY, DEFAULT_DESIGNATED_BODIES).programmeName).toBe('Now');
    expect(deriveProgrammeFields(memberships, TODAY, DEFAULT_DESIGNATED_BODIES).membershipType).toBe('SUBSTANTIVE');
  });

  it('is all null with no membership, or only memberships not started yet', () => {
    expect(deriveProgrammeFields([], TODAY, DEFAULT_DESIGNATED_BODIES)).toEqual(ALL_NULL);
    expect(deriveProgrammeFields([aMembership({ startDate: TOMORROW })], TODAY, DEFAULT_DESIGNATED_BODIES)).toEqual(
      ALL_NULL,
    );
  });

  it('has no TCS designated body when the owner is unknown or missing', () => {
    const unknown = deriveProgrammeFields(
      [aMembership({ programmeOwner: 'Scotland' })],
      TODAY,
      DEFAULT_DESIGNATED_BODIES,
    );
    expect(unknown.programmeOwner).toBe('Scotland');
    expect(unknown.tcsDesignatedBody).toBe(null);
    const missing = deriveProgrammeFields([aMembership({ programmeOwner: null })], TODAY, DEFAULT_DESIGNATED_BODIES);
    expect(missing.tcsDesignatedBody).toBe(null);
  });

  it('maps the owner through the table passed in, not the default one', () => {
    const fields = deriveProgrammeFields([aMembership({ programmeOwner: 'Wessex' })], TODAY, [
      { code: 'OPERATOR-1', owner: 'Wessex' },
    ]);
    expect(fields.tcsDesignatedBody).toBe('OPERATOR-1');
  });
});
