import type { Trainee } from '../model.js';

const NOT_TRAINEE_ROLE = /dummy|placeholder/i;

/**
 * Whether a TCS person is a trainee: their role does not contain `dummy` or `placeholder` (any case,
 * anywhere, so `"DR in Training, Placeholder"` is not a trainee).
 *
 * Decision: a person with no role (null or blank) is a trainee.
 */
export function isTrainee(trainee: Pick<Trainee, 'role'>): boolean {
  return trainee.role === null || !NOT_TRAINEE_ROLE.test(trainee.role);
}
