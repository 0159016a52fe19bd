import { describe, expect, it } from 'vitest';
import { deriveConnectionStatus, deriveExceptionReason, mergeGmcFields } from '../../src/rules/index.js';
import { aDoctor, aTrainee } from './fixtures.js';

const tcs = aTrainee({ firstName: 'Tess', lastName: 'Cees' });

describe('mergeGmcFields', () => {
  it('takes the names from the GMC when the doctor exists in the GMC', () => {
    const fields = mergeGmcFields(
      aDoctor({ doctorFirstName: 'Gemma', doctorLastName: 'Emcee', existsInGmc: true }),
      tcs,
    );
    expect([fields.doctorFirstName, fields.doctorLastName]).toEqual(['Gemma', 'Emcee']);
  });

  it('takes the names from TCS when the doctor no longer exists in the GMC', () => {
    const fields = mergeGmcFields(aDoctor({ existsInGmc: false }), tcs);
    expect([fields.doctorFirstName, fields.doctorLastName]).toEqual(['Tess', 'Cees']);
  });

  it('takes the names from TCS without a GMC doctor', () => {
    const fields = mergeGmcFields(null, tcs);
    expect([fields.doctorFirstName, fields.doctorLastName]).toEqual(['Tess', 'Cees']);
  });

  it('takes the names from the GMC without a TCS person, even when the doctor left the GMC', () => {
    expect(mergeGmcFields(aDoctor({ existsInGmc: false }), null).doctorFirstName).toBe('Gemma');
    expect(mergeGmcFields(aDoctor({ existsInGmc: true }), null).doctorLastName).toBe('Emcee');
  });

  it('falls back to the other source for a name the winning source has blank', () => {
    const gmcBlank = mergeGmcFields(aDoctor({ doctorFirstName: ' ', doctorLastName: null }), tcs);
    expect([gmcBlank.doctorFirstName, gmcBlank.doctorLastName]).toEqual(['Tess', 'Cees']);
    const tcsBlank = mergeGmcFields(aDoctor({ existsInGmc: false }), aTrainee({ firstName: null, lastName: '' }));
    expect([tcsBlank.doctorFirstName, tcsBlank.doctorLastName]).toEqual(['Gemma', 'Emcee']);
  });

  it('has null names when neither source has them', () => {
    const fields = mergeGmcFields(null, aTrainee({ firstName: null, lastName: null }));
    expect([fields.doctorFirstName, fields.doctorLastName]).toEqual([null, null]);
  });

  it('copies the GMC fields, designatedBody from designatedBodyCode', () => {
    const doctor = aDoctor({
      submissionDate: '2027-03-04',
      designatedBodyCode: '1-1RSSQ05',
      admin: 'admin@example.org',
      underNotice: 'ON_HOLD',
      existsInGmc: true,
      lastUpdatedDate: '2026-05-05',
    });
    expect(mergeGmcFields(doctor, tcs)).toEqual({
      doctorFirstName: 'Gemma',
      doctorLastName: 'Emcee',
      submissionDate: '2027-03-04',
      designatedBody: '1-1RSSQ05',
      admin: 'admin@example.org',
      underNotice: 'ON_HOLD',
      existsInGmc: true,
      lastUpdatedDate: '2026-05-05',
    });
  });

  it('has null GMC fields and existsInGmc false without a GMC doctor', () => {
    expect(mergeGmcFields(null, tcs)).toEqual({
      doctorFirstName: 'Tess',
      doctorLastName: 'Cees',
      submissionDate: null,
      designatedBody: null,
      admin: null,
      underNotice: null,
      existsInGmc: false,
      lastUpdatedDate: null,
    });
  });

  it('treats a blank designatedBodyCode as no designated body', () => {
    expect(mergeGmcFields(aDoctor({ designatedBodyCode: '  ' }), tcs).designatedBody).toBe(null);
  });
});

describe('deriveConnectionStatus', () => {
  it('is Yes with a designated body and No without one', () => {
    expect(deriveConnectionStatus('1-1RUZV1D')).toBe('Yes');
    expect(deriveConnectionStatus(null)).toBe('No');
    expect(deriveConnectionStatus('')).toBe('No');
    expect(deriveConnectionStatus(' ')).toBe('No');
  });
});

describe('deriveExceptionReason', () => {
  it('is the reason of the connection failure', () => {
    expect(
      deriveExceptionReason({ gmcReferenceNumber: '7000001', reason: 'Missing / Invalid Change Code (Reason)' }),
    ).toBe('Missing / Invalid Change Code (Reason)');
  });

  it('is null without a failure, or with a null or blank reason', () => {
    expect(deriveExceptionReason(null)).toBe(null);
    expect(deriveExceptionReason({ gmcReferenceNumber: '7000001', reason: null })).toBe(null);
    expect(deriveExceptionReason({ gmcReferenceNumber: '7000001', reason: '' })).toBe(null);
    expect(deriveExceptionReason({ gmcReferenceNumber: '7000001', reason: ' \t' })).toBe(null);
  });
});
