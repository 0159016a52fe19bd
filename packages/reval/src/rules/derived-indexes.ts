import type { DerivedIndex, IsoDate, MasterDocument } from '../model.js';
import { assertIsoDate } from './calendar-dates.js';
import { blankToNull, LIST_SEPARATOR } from './text.js';

/** Every derived index, in the order {@link derivedIndexes} lists them. */
export const DERIVED_INDEXES: readonly DerivedIndex[] = Object.freeze([
  'recommendation',
  'connected',
  'disconnected',
  'exception',
  'discrepancies',
]);

/** The placement grade of foundation year 1, whose doctors are left out of the discrepancies. */
const FOUNDATION_YEAR_1_GRADE = '279';

/**
 * The derived indexes a master document belongs to, in {@link DERIVED_INDEXES} order: always
 * `recommendation`; `connected` or `disconnected` by `connectionStatus`; `exception` when
 * {@link isException}; `discrepancies` when {@link isDiscrepancy}. A document belongs to no other.
 *
 * @throws ChangeflowError `DATE_INVALID` when `today` is not `YYYY-MM-DD`
 */
export function derivedIndexes(doc: MasterDocument, today: IsoDate): DerivedIndex[] {
  assertIsoDate(today, 'today');
  const indexes: DerivedIndex[] = ['recommendation', doc.connectionStatus === 'Yes' ? 'connected' : 'disconnected'];
  if (isException(doc, today)) indexes.push('exception');
  if (isDiscrepancy(doc)) indexes.push('discrepancies');
  return indexes;
}

/**
 * Whether a master document is an exception: `membershipType` is VISITOR (any case); or
 * `membershipEndDate` is before today and `connectionStatus` is Yes; or `exceptionReason` is not blank.
 *
 * Decision: VISITOR must be the whole membership type (ignoring surrounding whitespace), not a part of it.
 */
export function isException(
  doc: Pick<MasterDocument, 'membershipType' | 'membershipEndDate' | 'connectionStatus' | 'exceptionReason'>,
  today: IsoDate,
): boolean {
  if (doc.membershipType?.trim().toUpperCase() === 'VISITOR') return true;
  if (doc.membershipEndDate !== null && doc.membershipEndDate < today && doc.connectionStatus === 'Yes') return true;
  return blankToNull(doc.exceptionReason) !== null;
}

/**
 * Whether a master document is a discrepancy: `tcsDesignatedBody` differs from `designatedBody` (one
 * missing counts, both missing does not), unless its `membershipType` contains MILITARY (any case) or
 * its placement grades include foundation year 1 (`279`).
 *
 * Decisions: a blank designated body is a missing one; a grade list such as `"279 | 300"` is left out
 * too (any current grade 279 means the doctor is still in foundation year 1), while a grade merely
 * containing the digits, such as `"1279"`, is not.
 */
export function isDiscrepancy(
  doc: Pick<MasterDocument, 'tcsDesignatedBody' | 'designatedBody' | 'membershipType' | 'placementGrade'>,
): boolean {
  if (doc.membershipType?.toUpperCase().includes('MILITARY')) return false;
  if (hasFoundationYear1Grade(doc.placementGrade)) return false;
  const tcsDesignatedBody = blankToNull(doc.tcsDesignatedBody)?.trim() ?? null;
  const gmcDesignatedBody = blankToNull(doc.designatedBody)?.trim() ?? null;
  return tcsDesignatedBody !== gmcDesignatedBody;
}

function hasFoundationYear1Grade(placementGrade: string | null): boolean {
  const grades = placementGrade?.split(LIST_SEPARATOR.trim()) ?? [];
  return grades.some((grade) => grade.trim() === FOUNDATION_YEAR_1_GRADE);
}
