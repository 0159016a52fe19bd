import { describe, expect, it } from 'vitest';
import { DEFAULT_DESIGNATED_BODIES } from '../../src/designated-bodies.js';
import { buildMasterDocument } from '../../src/rules/index.js';
import {
  aDoctor,
  aMembership,
  aPlacement,
  aRecommendation,
  aTrainee,
  someSources,
  TODAY,
  TOMORROW,
  YESTERDAY,
} from './fixtures.js';

const options = { today: TODAY, designatedBodies: DEFAULT_DESIGNATED_BODIES };

describe('buildMasterDocument', () => {
  it('merges the trainee, the GMC doctor, the recommendations and the connection failure', () => {
    const doc = buildMasterDocument(
      someSources({
        trainees: [
          aTrainee({
            tcsPersonId: 42,
            firstName: 'Tess',
            lastName: 'Cees',
            programmeMemberships: [
              aMembership({
                programmeName: 'Cardiology',
                membershipType: 'SUBSTANTIVE',
                startDate: '2025-08-06',
                endDate: '2028-08-01',
                programmeOwner: 'London LETBs',
                curricula: [{ curriculumEndDate: '2028-08-01' }, { curriculumEndDate: '2029-01-31' }],
              }),
            ],
            placements: [aPlacement({ gradeId: '300' }), aPlacement({ gradeId: '301', startDate: '2026-03-01' })],
          }),
        ],
        doctor: aDoctor({
          doctorFirstName: 'Gemma',
          doctorLastName: 'Emcee',
          submissionDate: '2027-01-10',
          designatedBodyCode: '1-1RUZV4H',
          admin: 'admin@example.org',
          underNotice: 'YES',
          existsInGmc: true,
          lastUpdatedDate: '2026-06-01',
        }),
        recommendations: [aRecommendation({ outcome: 'UNDER_REVIEW', actualSubmissionDate: '2026-06-10' })],
        connectionFailure: { gmcReferenceNumber: '7000001', reason: 'Missing / Invalid Change Code (Reason)' },
      }),
      options,
    );
    expect(doc).toEqual({
      gmcReferenceNumber: '7000001',
      tcsPersonId: 42,
      conflictingTcsPersonIds: [],
      doctorFirstName: 'Gemma',
      doctorLastName: 'Emcee',
      submissionDate: '2027-01-10',
      programmeName: 'Cardiology',
      membershipType: 'SUBSTANTIVE',
      membershipStartDate: '2025-08-06',
      membershipEndDate: '2028-08-01',
      curriculumEndDate: '2029-01-31',
      programmeOwner: 'London LETBs',
      tcsDesignatedBody: '1-1RUZV6H',
      designatedBody: '1-1RUZV4H',
      placementGrade: '300 | 301',
      admin: 'admin@example.org',
      underNotice: 'YES',
      existsInGmc: true,
      gmcStatus: 'Under Review',
      tisStatus: 'SUBMITTED_TO_GMC',
      connectionStatus: 'Yes',
      exceptionReason: 'Missing / Invalid Change Code (Reason)',
      lastUpdatedDate: '2026-06-01',
    });
  });

  it.each([
    '',
    '  ',
    'unknown',
    'UNKNOWN',
    'na',
    'NA',
    'n/a',
    'N/A',
    '7000\u00a0001',
  ])('has no document for the invalid GMC number %j, even with a trainee and a GMC doctor', (gmcReferenceNumber) => {
    expect(buildMasterDocument(someSources({ gmcReferenceNumber }), options)).toBe(null);
  });

  it('has no document without trainees and without a GMC doctor', () => {
    expect(buildMasterDocument(someSources({ trainees: [], doctor: null }), options)).toBe(null);
  });

  it('has no document when every claimant is a dummy or placeholder and there is no GMC doctor', () => {
    const trainees = [aTrainee({ role: 'Dummy' }), aTrainee({ tcsPersonId: 2, role: 'Placeholder' })];
    const recommendations = [aRecommendation()];
    expect(buildMasterDocument(someSources({ trainees, doctor: null, recommendations }), options)).toBe(null);
  });

  it('gives a GMC doctor with no TCS person a document with no TCS fields', () => {
    const doc = buildMasterDocument(someSources({ trainees: [] }), options);
    expect(doc).toMatchObject({
      tcsPersonId: null,
      conflictingTcsPersonIds: [],
      doctorFirstName: 'Gemma',
      doctorLastName: 'Emcee',
      programmeName: null,
      membershipType: null,
      membershipStartDate: null,
      membershipEndDate: null,
      curriculumEndDate: null,
      programmeOwner: null,
      tcsDesignatedBody: null,
      placementGrade: null,
      designatedBody: '1-1RUZV1D',
      connectionStatus: 'Yes',
    });
  });

  it('gives a GMC doctor whose only claimant is a placeholder a document without that person', () => {
    const doc = buildMasterDocument(someSources({ trainees: [aTrainee({ role: 'placeholder' })] }), options);
    expect(doc?.tcsPersonId).toBe(null);
    expect(doc?.programmeName).toBe(null);
  });

  it('gives a trainee unknown to the GMC a disconnected document with TCS names', () => {
    const doc = buildMasterDocument(someSources({ doctor: null }), options);
    expect(doc).toMatchObject({
      tcsPersonId: 100,
      doctorFirstName: 'Tess',
      doctorLastName: 'Cees',
      submissionDate: null,
      designatedBody: null,
      admin: null,
      underNotice: null,
      existsInGmc: false,
      lastUpdatedDate: null,
      connectionStatus: 'No',
      tcsDesignatedBody: '1-1RUZV1D',
    });
  });

  it('takes the names from the GMC while the doctor exists in the GMC, and from TCS once it does not', () => {
    const inGmc = buildMasterDocument(someSources({ doctor: aDoctor({ existsInGmc: true }) }), options);
    expect([inGmc?.doctorFirstName, inGmc?.doctorLastName]).toEqual(['Gemma', 'Emcee']);
    const left = buildMasterDocument(
      someSources({ doctor: aDoctor({ existsInGmc: false, designatedBodyCode: null }) }),
      options,
    );
    expect([left?.doctorFirstName, left?.doctorLastName]).toEqual(['Tess', 'Cees']);
    expect(left?.existsInGmc).toBe(false);
    expect(left?.connectionStatus).toBe('No');
  });

  it('keeps one of several people claiming the number and lists the others, highest first', () => {
    const trainees = [
      aTrainee({ tcsPersonId: 1, programmeMemberships: [aMembership({ programmeName: 'Current' })] }),
      aTrainee({ tcsPersonId: 30, programmeMemberships: [aMembership({ endDate: YESTERDAY })] }),
      aTrainee({ tcsPersonId: 20, programmeMemberships: [] }),
      aTrainee({ tcsPersonId: 99, role: 'Dummy' }),
    ];
    const doc = buildMasterDocument(someSources({ trainees }), options);
    expect(doc?.tcsPersonId).toBe(1);
    expect(doc?.programmeName).toBe('Current');
    expect(doc?.conflictingTcsPersonIds).toEqual([30, 20]);
  });

  it('shows the programme that ended yesterday when no membership is current', () => {
    const trainees = [
      aTrainee({
        programmeMemberships: [
          aMembership({ programmeName: 'Ended', endDate: YESTERDAY }),
          aMembership({ programmeName: 'Next', startDate: TOMORROW }),
        ],
      }),
    ];
    const doc = buildMasterDocument(someSources({ trainees }), options);
    expect(doc?.programmeName).toBe('Ended');
    expect(doc?.membershipEndDate).toBe(YESTERDAY);
  });

  it('maps the programme owner through the table passed in', () => {
    const doc = buildMasterDocument(someSources(), {
      today: TODAY,
      designatedBodies: [{ code: 'OPERATOR-KSS', owner: 'Kent, Surrey and Sussex' }],
    });
    expect(doc?.tcsDesignatedBody).toBe('OPERATOR-KSS');
  });

  it('judges past-completed recommendations by the GMC doctor’s underNotice', () => {
    const recommendations = [
      aRecommendation({ outcome: 'APPROVED', status: 'COMPLETED', actualSubmissionDate: '2026-01-01' }),
    ];
    const underNotice = buildMasterDocument(
      someSources({ recommendations, doctor: aDoctor({ underNotice: 'YES' }) }),
      options,
    );
    expect([underNotice?.tisStatus, underNotice?.gmcStatus]).toEqual(['NOT_STARTED', null]);
    const notUnderNotice = buildMasterDocument(
      someSources({ recommendations, doctor: aDoctor({ underNotice: 'NO' }) }),
      options,
    );
    expect([notUnderNotice?.tisStatus, notUnderNotice?.gmcStatus]).toEqual(['COMPLETED', 'Approved']);
    const noDoctor = buildMasterDocument(someSources({ recommendations, doctor: null }), options);
    expect([noDoctor?.tisStatus, noDoctor?.gmcStatus]).toEqual(['COMPLETED', 'Approved']);
  });

  it('has NOT_STARTED and no GMC status without recommendations, and no exception reason without a failure', () => {
    const doc = buildMasterDocument(someSources(), options);
    expect(doc?.tisStatus).toBe('NOT_STARTED');
    expect(doc?.gmcStatus).toBe(null);
    expect(doc?.exceptionReason).toBe(null);
  });

  it('has no exception reason when the failure was cleared', () => {
    const doc = buildMasterDocument(
      someSources({ connectionFailure: { gmcReferenceNumber: '7000001', reason: null } }),
      options,
    );
    expect(doc?.exceptionReason).toBe(null);
  });

  it('rejects a malformed today', () => {
    expect(() => buildMasterDocument(someSources(), { ...options, today: '17/06/2026' })).toThrow(
      expect.objectContaining({ code: 'DATE_INVALID' }),
    );
  });
});
