import type { IsoDate, Trainee } from '../model.js';
import { hasCurrentMembership } from './memberships.js';
import { isTrainee } from './trainee-role.js';

/** Which TCS person a master document shows when several claim its GMC number. */
export interface GmcNumberClaim<T extends Trainee = Trainee> {
  /** The person kept; null when no claimant is a trainee. */
  trainee: T | null;
  /** The other trainees claiming the number, highest `tcsPersonId` first. */
  conflictingTcsPersonIds: number[];
}

/**
 * Keeps one of the people claiming a GMC number: those who are not trainees (see {@link isTrainee})
 * are dropped, then one with a current membership is preferred, then the highest `tcsPersonId`. The
 * others' ids go to `conflictingTcsPersonIds`, highest first.
 *
 * Decision: a `tcsPersonId` listed twice (the same person delivered twice) counts once, and never
 * appears among the conflicts of itself.
 */
export function resolveGmcNumberClaims<T extends Trainee>(claimants: readonly T[], today: IsoDate): GmcNumberClaim<T> {
  const ranked = claimants
    .filter((t) => isTrainee(t))
    .map((trainee) => ({ trainee, isCurrent: hasCurrentMembership(trainee.programmeMemberships, today) }))
    .sort((a, b) => Number(b.isCurrent) - Number(a.isCurrent) || b.trainee.tcsPersonId - a.trainee.tcsPersonId);
  const kept = ranked[0]?.trainee ?? null;
  const others = new Set(ranked.map((r) => r.trainee.tcsPersonId));
  if (kept !== null) others.delete(kept.tcsPersonId);
  return { trainee: kept, conflictingTcsPersonIds: [...others].sort((a, b) => b - a) };
}
