import { describe, expect, it } from 'vitest';
import {
  deriveGmcStatus,
  deriveTisStatus,
  isPastCompleted,
  oneMonthBefore,
  selectGmcRecommendation,
  selectTisRecommendation,
} from '../../src/rules/index.js';
import { aRecommendation, TODAY } from './fixtures.js';

const approved = (actualSubmissionDate: string | null, id = '1') =>
  aRecommendation({ id, outcome: 'APPROVED', status: 'COMPLETED', actualSubmissionDate });

describe('oneMonthBefore', () => {
  it.each([
    ['2026-06-17', '2026-05-17'],
    ['2026-03-31', '2026-02-28'],
    ['2024-03-31', '2024-02-29'],
    ['2026-03-29', '2026-02-28'],
    ['2026-07-31', '2026-06-30'],
    ['2026-01-10', '2025-12-10'],
    ['2026-03-01', '2026-02-01'],
  ])('of %s is %s', (today, expected) => {
    expect(oneMonthBefore(today)).toBe(expected);
  });
});

describe('isPastCompleted', () => {
  it.each([
    ['2026-06-17', '2026-05-16', true],
    ['2026-06-17', '2026-05-17', false],
    ['2026-06-17', '2026-05-18', false],
    ['2026-03-31', '2026-02-27', true],
    ['2026-03-31', '2026-02-28', false],
    ['2026-03-31', '2026-03-01', false],
    ['2024-03-31', '2024-02-28', true],
    ['2024-03-31', '2024-02-29', false],
    ['2026-01-15', '2025-12-14', true],
    ['2026-01-15', '2025-12-15', false],
  ])('on %s, an approved recommendation submitted on %s under notice is past completed: %s', (today, submitted, expected) => {
    expect(isPastCompleted(approved(submitted), 'YES', today)).toBe(expected);
  });

  it.each(['REJECTED', 'UNDER_REVIEW', null] as const)('is false for outcome %s', (outcome) => {
    expect(isPastCompleted(aRecommendation({ outcome, actualSubmissionDate: '2020-01-01' }), 'YES', TODAY)).toBe(false);
  });

  it.each(['NO', 'ON_HOLD', null] as const)('is false when underNotice is %s', (underNotice) => {
    expect(isPastCompleted(approved('2020-01-01'), underNotice, TODAY)).toBe(false);
  });

  it('is false without an actualSubmissionDate', () => {
    expect(isPastCompleted(approved(null), 'YES', TODAY)).toBe(false);
  });

  it('rejects a malformed today', () => {
    expect(() => isPastCompleted(approved('2020-01-01'), 'YES', '2026-6-17')).toThrow(/DATE|calendar date/);
  });
});

describe('selectTisRecommendation', () => {
  it('is none without recommendations', () => {
    expect(selectTisRecommendation([], 'YES', TODAY)).toBe(null);
  });

  it('prefers the READY_TO_REVIEW recommendation over a later submitted one', () => {
    const draft = aRecommendation({ id: '1', status: 'READY_TO_REVIEW', outcome: null, actualSubmissionDate: null });
    const submitted = aRecommendation({ id: '2', actualSubmissionDate: TODAY });
    expect(selectTisRecommendation([submitted, draft], 'NO', TODAY)).toBe(draft);
  });

  it('takes the READY_TO_REVIEW one as is, without the past-completed check', () => {
    const ready = aRecommendation({
      status: 'READY_TO_REVIEW',
      outcome: 'APPROVED',
      actualSubmissionDate: '2020-01-01',
    });
    expect(selectTisRecommendation([ready], 'YES', TODAY)).toBe(ready);
  });

  it('takes the highest id among several READY_TO_REVIEW, comparing numeric ids as numbers', () => {
    const nine = aRecommendation({ id: '9', status: 'READY_TO_REVIEW' });
    const ten = aRecommendation({ id: '10', status: 'READY_TO_REVIEW' });
    expect(selectTisRecommendation([ten, nine], 'NO', TODAY)).toBe(ten);
    expect(selectTisRecommendation([nine, ten], 'NO', TODAY)).toBe(ten);
  });

  it('compares non-numeric ids as strings', () => {
    const a = aRecommendation({ id: 'a-uuid', status: 'READY_TO_REVIEW' });
    const b = aRecommendation({ id: 'b-uuid', status: 'READY_TO_REVIEW' });
    expect(selectTisRecommendation([b, a], 'NO', TODAY)).toBe(b);
  });

  it('otherwise takes the latest by actualSubmissionDate', () => {
    const older = aRecommendation({ id: '5', actualSubmissionDate: '2026-01-01' });
    const latest = aRecommendation({ id: '1', actualSubmissionDate: '2026-06-01' });
    expect(selectTisRecommendation([older, latest], 'NO', TODAY)).toBe(latest);
  });

  it('counts one without actualSubmissionDate as older than any with one', () => {
    const undated = aRecommendation({ id: '9', status: 'DRAFT', outcome: null, actualSubmissionDate: null });
    const dated = aRecommendation({ id: '1', actualSubmissionDate: '2020-01-01' });
    expect(selectTisRecommendation([undated, dated], 'NO', TODAY)).toBe(dated);
    expect(selectTisRecommendation([undated], 'NO', TODAY)).toBe(undated);
  });

  it('breaks a tie on actualSubmissionDate by the highest id', () => {
    const low = aRecommendation({ id: '3', actualSubmissionDate: '2026-06-01' });
    const high = aRecommendation({ id: '4', actualSubmissionDate: '2026-06-01' });
    expect(selectTisRecommendation([high, low], 'NO', TODAY)).toBe(high);
    expect(selectTisRecommendation([low, high], 'NO', TODAY)).toBe(high);
  });

  it('is none when the latest is past completed, without falling back to an older one', () => {
    const olderRejected = aRecommendation({ id: '1', outcome: 'REJECTED', actualSubmissionDate: '2025-01-01' });
    const latestPast = approved('2026-05-16', '2');
    expect(selectTisRecommendation([olderRejected, latestPast], 'YES', TODAY)).toBe(null);
  });

  it('keeps the latest approved one while it is not past completed (the boundary day) or not under notice', () => {
    const boundary = approved('2026-05-17');
    expect(selectTisRecommendation([boundary], 'YES', TODAY)).toBe(boundary);
    const old = approved('2020-01-01');
    expect(selectTisRecommendation([old], 'NO', TODAY)).toBe(old);
  });
});

describe('deriveTisStatus', () => {
  it('is NOT_STARTED without recommendations', () => {
    expect(deriveTisStatus([], 'YES', TODAY)).toBe('NOT_STARTED');
  });

  it('is NOT_STARTED when the chosen one has neither type nor outcome', () => {
    const empty = aRecommendation({ status: 'READY_TO_REVIEW', type: null, outcome: null, actualSubmissionDate: null });
    expect(deriveTisStatus([empty], 'YES', TODAY)).toBe('NOT_STARTED');
  });

  it('is NOT_STARTED when the latest is past completed', () => {
    expect(deriveTisStatus([approved('2026-05-16')], 'YES', TODAY)).toBe('NOT_STARTED');
  });

  it('is COMPLETED on the boundary day, one day before it becomes NOT_STARTED', () => {
    expect(deriveTisStatus([approved('2026-05-17')], 'YES', TODAY)).toBe('COMPLETED');
    expect(deriveTisStatus([approved('2026-05-17')], 'YES', '2026-06-18')).toBe('NOT_STARTED');
  });

  it.each(['APPROVED', 'REJECTED'] as const)('is COMPLETED when the outcome is %s', (outcome) => {
    expect(deriveTisStatus([aRecommendation({ outcome })], 'NO', TODAY)).toBe('COMPLETED');
  });

  it('is COMPLETED for an outcome without a type', () => {
    expect(deriveTisStatus([aRecommendation({ type: null, outcome: 'REJECTED' })], 'NO', TODAY)).toBe('COMPLETED');
  });

  it('is SUBMITTED_TO_GMC when the outcome is UNDER_REVIEW', () => {
    expect(deriveTisStatus([aRecommendation({ outcome: 'UNDER_REVIEW' })], 'YES', TODAY)).toBe('SUBMITTED_TO_GMC');
  });

  it.each(['REVALIDATE', 'DEFER', 'NON_ENGAGEMENT'] as const)('is DRAFT for a %s without outcome', (type) => {
    const draft = aRecommendation({ type, status: 'READY_TO_REVIEW', outcome: null, actualSubmissionDate: null });
    expect(deriveTisStatus([draft], 'YES', TODAY)).toBe('DRAFT');
  });

  it('describes the READY_TO_REVIEW draft rather than an earlier completed one', () => {
    const done = aRecommendation({ id: '1', outcome: 'APPROVED', actualSubmissionDate: '2026-06-01' });
    const draft = aRecommendation({ id: '2', status: 'READY_TO_REVIEW', outcome: null, actualSubmissionDate: null });
    expect(deriveTisStatus([done, draft], 'YES', TODAY)).toBe('DRAFT');
  });
});

describe('selectGmcRecommendation', () => {
  it('takes the latest by gmcSubmissionDate, not by actualSubmissionDate', () => {
    const laterGmc = aRecommendation({ id: '1', gmcSubmissionDate: '2026-08-01', actualSubmissionDate: '2026-01-01' });
    const laterActual = aRecommendation({
      id: '2',
      gmcSubmissionDate: '2026-02-01',
      actualSubmissionDate: '2026-06-01',
    });
    expect(selectGmcRecommendation([laterActual, laterGmc])).toBe(laterGmc);
  });

  it('counts one without gmcSubmissionDate as older than any with one', () => {
    const undated = aRecommendation({ id: '9', gmcSubmissionDate: null });
    const dated = aRecommendation({ id: '1', gmcSubmissionDate: '2020-01-01' });
    expect(selectGmcRecommendation([undated, dated])).toBe(dated);
  });

  it('breaks a tie on gmcSubmissionDate by the later actualSubmissionDate (missing is older), then the highest id', () => {
    const submittedEarly = aRecommendation({ id: '7', actualSubmissionDate: '2026-05-01' });
    const submittedLate = aRecommendation({ id: '2', actualSubmissionDate: '2026-06-01' });
    const notSubmitted = aRecommendation({ id: '9', actualSubmissionDate: null });
    expect(selectGmcRecommendation([notSubmitted, submittedEarly, submittedLate])).toBe(submittedLate);
    const twin = aRecommendation({ id: '3', actualSubmissionDate: '2026-06-01' });
    expect(selectGmcRecommendation([twin, submittedLate])).toBe(twin);
  });

  it('is none without recommendations', () => {
    expect(selectGmcRecommendation([])).toBe(null);
  });
});

describe('deriveGmcStatus', () => {
  it.each([
    ['APPROVED', 'Approved'],
    ['REJECTED', 'Rejected'],
    ['UNDER_REVIEW', 'Under Review'],
  ] as const)('shows the outcome %s as %s', (outcome, expected) => {
    expect(deriveGmcStatus([aRecommendation({ outcome })], 'YES', TODAY)).toBe(expected);
  });

  it('is null without recommendations', () => {
    expect(deriveGmcStatus([], 'YES', TODAY)).toBe(null);
  });

  it('is null when the latest has no outcome', () => {
    expect(deriveGmcStatus([aRecommendation({ outcome: null })], 'YES', TODAY)).toBe(null);
  });

  it('is null when the latest is a draft (no actualSubmissionDate), even though an older one has an outcome', () => {
    const older = aRecommendation({ id: '1', gmcSubmissionDate: '2025-01-01', outcome: 'APPROVED' });
    const draft = aRecommendation({
      id: '2',
      gmcSubmissionDate: '2027-01-01',
      status: 'READY_TO_REVIEW',
      outcome: 'UNDER_REVIEW',
      actualSubmissionDate: null,
    });
    expect(deriveGmcStatus([older, draft], 'NO', TODAY)).toBe(null);
  });

  it('is null when the latest is past completed, and Approved on the boundary day', () => {
    expect(deriveGmcStatus([approved('2026-05-16')], 'YES', TODAY)).toBe(null);
    expect(deriveGmcStatus([approved('2026-05-17')], 'YES', TODAY)).toBe('Approved');
  });

  it('stays Approved for an old approval when the doctor is not under notice', () => {
    expect(deriveGmcStatus([approved('2020-01-01')], 'NO', TODAY)).toBe('Approved');
    expect(deriveGmcStatus([approved('2020-01-01')], null, TODAY)).toBe('Approved');
  });

  it('describes the latest by gmcSubmissionDate only', () => {
    const latest = aRecommendation({ id: '1', gmcSubmissionDate: '2026-08-01', outcome: 'REJECTED' });
    const older = aRecommendation({ id: '2', gmcSubmissionDate: '2026-02-01', outcome: 'APPROVED' });
    expect(deriveGmcStatus([older, latest], 'NO', TODAY)).toBe('Rejected');
  });
});
