import { describe, expect, it } from 'vitest';
import { DERIVED_INDEXES, derivedIndexes, isDiscrepancy, isException } from '../../src/rules/index.js';
import { aMasterDocument, TODAY, TOMORROW, YESTERDAY } from './fixtures.js';

describe('derivedIndexes', () => {
  it('puts a plain connected document in recommendation and connected only', () => {
    expect(derivedIndexes(aMasterDocument(), TODAY)).toEqual(['recommendation', 'connected']);
  });

  it('puts a disconnected document in recommendation and disconnected', () => {
    const doc = aMasterDocument({ connectionStatus: 'No', designatedBody: null, tcsDesignatedBody: null });
    expect(derivedIndexes(doc, TODAY)).toEqual(['recommendation', 'disconnected']);
  });

  it('puts every document in recommendation, even one not in the GMC', () => {
    const doc = aMasterDocument({ existsInGmc: false, connectionStatus: 'No', designatedBody: null });
    expect(derivedIndexes(doc, TODAY)).toContain('recommendation');
  });

  it('lists all the indexes a document qualifies for, in DERIVED_INDEXES order', () => {
    const doc = aMasterDocument({ membershipType: 'VISITOR', designatedBody: '1-1RSSQ05' });
    expect(derivedIndexes(doc, TODAY)).toEqual(['recommendation', 'connected', 'exception', 'discrepancies']);
    expect(DERIVED_INDEXES).toEqual(['recommendation', 'connected', 'disconnected', 'exception', 'discrepancies']);
  });

  it('rejects a malformed today', () => {
    expect(() => derivedIndexes(aMasterDocument(), '2026-06-31')).toThrow(/today = "2026-06-31"/);
  });
});

describe('isException', () => {
  it('is false for a current, connected, substantive document without a failure', () => {
    expect(isException(aMasterDocument(), TODAY)).toBe(false);
  });

  it.each(['VISITOR', 'visitor', 'Visitor', ' VISITOR '])('is true for membership type %j', (membershipType) => {
    expect(isException(aMasterDocument({ membershipType }), TODAY)).toBe(true);
  });

  it.each(['VISITORS', 'NON-VISITOR', 'SUBSTANTIVE', null])('is false for membership type %j', (membershipType) => {
    expect(isException(aMasterDocument({ membershipType }), TODAY)).toBe(false);
  });

  it('is true for a visitor even when disconnected', () => {
    expect(isException(aMasterDocument({ membershipType: 'visitor', connectionStatus: 'No' }), TODAY)).toBe(true);
  });

  it('is true when the membership ended yesterday and the doctor is connected', () => {
    expect(isException(aMasterDocument({ membershipEndDate: YESTERDAY }), TODAY)).toBe(true);
  });

  it('is false when the membership ends today or tomorrow, or has no end date', () => {
    expect(isException(aMasterDocument({ membershipEndDate: TODAY }), TODAY)).toBe(false);
    expect(isException(aMasterDocument({ membershipEndDate: TOMORROW }), TODAY)).toBe(false);
    expect(isException(aMasterDocument({ membershipEndDate: null }), TODAY)).toBe(false);
  });

  it('is false when the membership ended but the doctor is disconnected', () => {
    const doc = aMasterDocument({ membershipEndDate: YESTERDAY, connectionStatus: 'No', designatedBody: null });
    expect(isException(doc, TODAY)).toBe(false);
  });

  it('is true with a connection failure reason, connected or not', () => {
    const reason = 'Missing / Invalid Change Code (Reason)';
    expect(isException(aMasterDocument({ exceptionReason: reason }), TODAY)).toBe(true);
    expect(isException(aMasterDocument({ exceptionReason: reason, connectionStatus: 'No' }), TODAY)).toBe(true);
  });

  it('is false with a blank connection failure reason', () => {
    expect(isException(aMasterDocument({ exceptionReason: '' }), TODAY)).toBe(false);
    expect(isException(aMasterDocument({ exceptionReason: '   ' }), TODAY)).toBe(false);
  });
});

describe('isDiscrepancy', () => {
  it('is false when both designated bodies agree', () => {
    expect(isDiscrepancy(aMasterDocument({ tcsDesignatedBody: '1-1RUZV1D', designatedBody: '1-1RUZV1D' }))).toBe(false);
  });

  it('is true when they differ', () => {
    expect(isDiscrepancy(aMasterDocument({ tcsDesignatedBody: '1-1RUZV1D', designatedBody: '1-1RSSQ05' }))).toBe(true);
  });

  it('is true when only one is missing', () => {
    expect(isDiscrepancy(aMasterDocument({ tcsDesignatedBody: null, designatedBody: '1-1RSSQ05' }))).toBe(true);
    expect(isDiscrepancy(aMasterDocument({ tcsDesignatedBody: '1-1RUZV1D', designatedBody: null }))).toBe(true);
  });

  it('is false when both are missing, blank counting as missing', () => {
    expect(isDiscrepancy(aMasterDocument({ tcsDesignatedBody: null, designatedBody: null }))).toBe(false);
    expect(isDiscrepancy(aMasterDocument({ tcsDesignatedBody: ' ', designatedBody: null }))).toBe(false);
    expect(isDiscrepancy(aMasterDocument({ tcsDesignatedBody: '', designatedBody: '1-1RSSQ05' }))).toBe(true);
  });

  it.each([
    'MILITARY',
    'military',
    'Military Reserve',
    'NON-MILITARY',
  ])('leaves out membership type %j, which contains MILITARY', (membershipType) => {
    expect(isDiscrepancy(aMasterDocument({ membershipType, tcsDesignatedBody: null, designatedBody: 'X' }))).toBe(
      false,
    );
  });

  it.each([
    '279',
    ' 279 ',
    '279 | 300',
    '300 | 279',
    '300|279',
  ])('leaves out placement grade %j, which includes foundation year 1', (placementGrade) => {
    expect(isDiscrepancy(aMasterDocument({ placementGrade, tcsDesignatedBody: null, designatedBody: 'X' }))).toBe(
      false,
    );
  });

  it.each([
    '300',
    '2790',
    '1279',
    '300 | 2791',
    null,
  ])('keeps placement grade %j, which does not include 279', (placementGrade) => {
    expect(isDiscrepancy(aMasterDocument({ placementGrade, tcsDesignatedBody: null, designatedBody: 'X' }))).toBe(true);
  });

  it('appears in derivedIndexes only when it qualifies', () => {
    const military = aMasterDocument({ membershipType: 'MILITARY', tcsDesignatedBody: null });
    expect(derivedIndexes(military, TODAY)).not.toContain('discrepancies');
    const differs = aMasterDocument({ tcsDesignatedBody: null });
    expect(derivedIndexes(differs, TODAY)).toContain('discrepancies');
  });
});
