import type { IsoDate, ProgrammeMembership } from '../model.js';
import { ascending, by, descending, firstBy, thenBy } from './ordering.js';

/**
 * Whether a programme membership is current: `startDate <= today <= endDate`.
 *
 * Decisions: with no start date it is not current (we cannot tell it has started); with no end date it
 * is open-ended, so current from its start on.
 */
export function isCurrentMembership(
  membership: Pick<ProgrammeMembership, 'startDate' | 'endDate'>,
  today: IsoDate,
): boolean {
  const { startDate, endDate } = membership;
  return startDate !== null && startDate <= today && (endDate === null || today <= endDate);
}

/**
 * Whether a programme membership has ended: `endDate < today`, and it did not start after today.
 *
 * Decision: a membership with no start date but an end date before today has ended (it cannot be
 * current, but it certainly is over), so it can be the reference membership.
 */
export function isEndedMembership(
  membership: Pick<ProgrammeMembership, 'startDate' | 'endDate'>,
  today: IsoDate,
): boolean {
  const { startDate, endDate } = membership;
  return endDate !== null && endDate < today && (startDate === null || startDate <= today);
}

/**
 * The current memberships (see {@link isCurrentMembership}), ordered by start date, then programme
 * name, so the result does not depend on the order storage returned them in.
 */
export function currentMemberships<M extends ProgrammeMembership>(memberships: readonly M[], today: IsoDate): M[] {
  return memberships
    .filter((m) => isCurrentMembership(m, today))
    .sort(
      thenBy<M>(
        by((m) => m.startDate, ascending),
        by((m) => m.programmeName, ascending),
      ),
    );
}

/** Whether any membership is current (see {@link isCurrentMembership}). */
export function hasCurrentMembership(memberships: readonly ProgrammeMembership[], today: IsoDate): boolean {
  return memberships.some((m) => isCurrentMembership(m, today));
}

/**
 * The reference membership: the one current membership when there is exactly one; with none current,
 * the most recently ended one (see {@link isEndedMembership}); with several current, none. Memberships
 * that start after today are ignored.
 *
 * Decision: ended memberships that end on the same day are told apart by the later start date, then
 * programme name, membership type, programme owner (ascending, missing last) and the later curriculum
 * end date; what still ties is identical for the master document.
 */
export function referenceMembership<M extends ProgrammeMembership>(
  memberships: readonly M[],
  today: IsoDate,
): M | null {
  const current = memberships.filter((m) => isCurrentMembership(m, today));
  if (current.length === 1) return current[0] ?? null;
  if (current.length > 1) return null;
  return firstBy(
    memberships.filter((m) => isEndedMembership(m, today)),
    mostRecentlyEnded,
  );
}

/**
 * The latest curriculum end date of a membership; null when none of its curricula has one.
 */
export function latestCurriculumEndDate(membership: Pick<ProgrammeMembership, 'curricula'>): IsoDate | null {
  return firstBy(
    membership.curricula.map((c) => c.curriculumEndDate).filter((d): d is IsoDate => d !== null),
    descending,
  );
}

const mostRecentlyEnded = thenBy<ProgrammeMembership>(
  by((m) => m.endDate, descending),
  by((m) => m.startDate, descending),
  by((m) => m.programmeName, ascending),
  by((m) => m.membershipType, ascending),
  by((m) => m.programmeOwner, ascending),
  by(latestCurriculumEndDate, descending),
);
