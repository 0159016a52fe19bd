import type { DesignatedBody } from '../model.js';
import { blankToNull } from './text.js';

/**
 * The code of the designated body a TCS programme owner answers to: the first entry of
 * `designatedBodies` whose owner matches; null when none does or `owner` is blank.
 *
 * Decision: owners match ignoring case and surrounding whitespace (TCS owner names are free text).
 *
 * @example findDesignatedBody('London LETBs', DEFAULT_DESIGNATED_BODIES) // '1-1RUZV6H'
 */
export function findDesignatedBody(owner: string | null, designatedBodies: readonly DesignatedBody[]): string | null {
  const present = blankToNull(owner);
  if (present === null) return null;
  const wanted = normaliseOwner(present);
  return designatedBodies.find((body) => normaliseOwner(body.owner) === wanted)?.code ?? null;
}

function normaliseOwner(owner: string): string {
  return owner.trim().toLowerCase();
}
