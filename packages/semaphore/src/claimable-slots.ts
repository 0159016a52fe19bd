/**
 * The slots an acquire with `maxLocks` may try, lowest first, given the slots of `key` that unexpired
 * leases hold (read in one snapshot just before). Empty means: no lease can be granted now.
 *
 * Normally that is every slot in `[0, maxLocks)` not held. Slots at or above `maxLocks` are held only when
 * the key was used with a larger `maxLocks` before (the limit was lowered); G6 counts them too:
 *
 * - with `h` such slots held, only `[0, maxLocks - h)` may be taken, and
 * - nothing may be taken while a slot in `[maxLocks - h, maxLocks)` is held (conservative: such a state
 *   drains as those leases end; it can refuse a lease the limit would allow, never grant one it forbids).
 *
 * Why this keeps at most `maxLocks` live leases without a per-key lock, assuming every acquirer of the key
 * now uses this `maxLocks`: nobody creates slots at or above `maxLocks` any more, so `h` only falls. A grant
 * of slot `s` read `h0` at its snapshot, so `s < maxLocks - h0 <= maxLocks - h` at commit. Every other live
 * slot below `maxLocks` at commit was either live in the snapshot (then below `maxLocks - h0`, by the
 * second rule) or granted since by another acquirer (below `maxLocks - h` by the same argument). Slots are
 * distinct (primary key), so at most `maxLocks - h` low slots plus `h` high ones are live.
 */
export function claimableSlots(liveSlots: readonly number[], maxLocks: number): number[] {
  const heldAbove = liveSlots.filter((slot) => slot >= maxLocks).length;
  const usable = maxLocks - heldAbove;
  if (usable <= 0) return [];
  if (liveSlots.some((slot) => slot >= usable && slot < maxLocks)) return [];
  const live = new Set(liveSlots);
  const slots: number[] = [];
  for (let slot = 0; slot < usable; slot++) if (!live.has(slot)) slots.push(slot);
  return slots;
}
