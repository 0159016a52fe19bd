import type { IsoDate, Placement } from '../model.js';
import { ascending, by, thenBy } from './ordering.js';
import { blankToNull, joinDistinct } from './text.js';

/**
 * Whether a placement is current: `startDate <= today <= endDate`, by the same decisions as
 * memberships: no start date is not current, no end date is open-ended.
 */
export function isCurrentPlacement(placement: Pick<Placement, 'startDate' | 'endDate'>, today: IsoDate): boolean {
  const { startDate, endDate } = placement;
  return startDate !== null && startDate <= today && (endDate === null || today <= endDate);
}

/**
 * `placementGrade`: the distinct grade ids of the current placements joined with `" | "`; null when
 * no current placement has one.
 *
 * Decisions: grades are listed in first-seen order after ordering the current placements by start
 * date, then grade id, so the result does not depend on the order storage returned them in; grade ids
 * are trimmed and blank ones skipped.
 */
export function derivePlacementGrade(placements: readonly Placement[], today: IsoDate): string | null {
  return joinDistinct(
    placements
      .filter((p) => isCurrentPlacement(p, today))
      .map((p) => ({ startDate: p.startDate, gradeId: blankToNull(p.gradeId)?.trim() ?? null }))
      .sort(
        thenBy(
          by((p) => p.startDate, ascending),
          by((p) => p.gradeId, ascending),
        ),
      )
      .flatMap((p) => (p.gradeId === null ? [] : [p.gradeId])),
  );
}
