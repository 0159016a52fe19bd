import { describe, expect, it } from 'vitest';
import { isTrainee } from '../../src/rules/index.js';

describe('isTrainee', () => {
  it.each([
    'DR in Training',
    'Foundation Doctor',
    'Place holder',
    'Dum my',
    '',
  ])('keeps a person whose role is %j', (role) => {
    expect(isTrainee({ role })).toBe(true);
  });

  it('keeps a person with no role', () => {
    expect(isTrainee({ role: null })).toBe(true);
  });

  it.each([
    'Dummy',
    'dummy',
    'DUMMY RECORD',
    'DR in Training, Dummy',
    'Placeholder',
    'placeholder',
    'PLACEHOLDER',
    'Trainee placeholder (do not use)',
    'Dummyplaceholder',
  ])('drops a person whose role %j contains dummy or placeholder', (role) => {
    expect(isTrainee({ role })).toBe(false);
  });
});
