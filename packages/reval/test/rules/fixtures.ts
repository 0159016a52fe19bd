import type {
  GmcDoctor,
  GmcNumberSources,
  MasterDocument,
  Placement,
  ProgrammeMembership,
  Recommendation,
  Trainee,
} from '../../src/model.js';

/** The `today` most tests use: a Wednesday in BST, mid-month. */
export const TODAY = '2026-06-17';
export const YESTERDAY = '2026-06-16';
export const TOMORROW = '2026-06-18';

export function aMembership(overrides: Partial<ProgrammeMembership> = {}): ProgrammeMembership {
  return {
    programmeName: 'General Practice',
    membershipType: 'SUBSTANTIVE',
    startDate: '2025-08-06',
    endDate: '2028-08-05',
    programmeOwner: 'Kent, Surrey and Sussex',
    curricula: [{ curriculumEndDate: '2028-08-05' }],
    ...overrides,
  };
}

export function aPlacement(overrides: Partial<Placement> = {}): Placement {
  return { gradeId: '300', startDate: '2026-02-04', endDate: '2026-08-04', ...overrides };
}

export function aTrainee(overrides: Partial<Trainee> = {}): Trainee {
  return {
    tcsPersonId: 100,
    gmcReferenceNumber: '7000001',
    firstName: 'Tess',
    lastName: 'Cees',
    role: 'DR in Training',
    programmeMemberships: [aMembership()],
    placements: [aPlacement()],
    ...overrides,
  };
}

export function aDoctor(overrides: Partial<GmcDoctor> = {}): GmcDoctor {
  return {
    gmcReferenceNumber: '7000001',
    doctorFirstName: 'Gemma',
    doctorLastName: 'Emcee',
    submissionDate: '2027-01-10',
    dateAdded: '2021-08-01',
    underNotice: 'NO',
    sanction: 'No',
    designatedBodyCode: '1-1RUZV1D',
    admin: 'officer@example.org',
    existsInGmc: true,
    lastUpdatedDate: '2026-06-01',
    ...overrides,
  };
}

export function aRecommendation(overrides: Partial<Recommendation> = {}): Recommendation {
  return {
    id: '1',
    gmcReferenceNumber: '7000001',
    type: 'REVALIDATE',
    status: 'SUBMITTED_TO_GMC',
    outcome: 'UNDER_REVIEW',
    gmcSubmissionDate: '2026-07-01',
    actualSubmissionDate: '2026-06-10',
    admin: 'officer@example.org',
    ...overrides,
  };
}

export function someSources(overrides: Partial<GmcNumberSources> = {}): GmcNumberSources {
  return {
    gmcReferenceNumber: '7000001',
    trainees: [aTrainee()],
    doctor: aDoctor(),
    recommendations: [],
    connectionFailure: null,
    ...overrides,
  };
}

export function aMasterDocument(overrides: Partial<MasterDocument> = {}): MasterDocument {
  return {
    gmcReferenceNumber: '7000001',
    tcsPersonId: 100,
    conflictingTcsPersonIds: [],
    doctorFirstName: 'Gemma',
    doctorLastName: 'Emcee',
    submissionDate: '2027-01-10',
    programmeName: 'General Practice',
    membershipType: 'SUBSTANTIVE',
    membershipStartDate: '2025-08-06',
    membershipEndDate: '2028-08-05',
    curriculumEndDate: '2028-08-05',
    programmeOwner: 'Kent, Surrey and Sussex',
    tcsDesignatedBody: '1-1RUZV1D',
    designatedBody: '1-1RUZV1D',
    placementGrade: '300',
    admin: 'officer@example.org',
    underNotice: 'NO',
    existsInGmc: true,
    gmcStatus: null,
    tisStatus: 'NOT_STARTED',
    connectionStatus: 'Yes',
    exceptionReason: null,
    lastUpdatedDate: '2026-06-01',
    ...overrides,
  };
}
