/** Longest `Retry-After` honoured: a larger value is taken as this, so a run cannot stall on one answer. */
export const MAX_RETRY_AFTER_MS = 60_000;

/**
 * The wait a `Retry-After` header asks for, in ms: delta-seconds (`2`) or an HTTP date, capped at
 * {@link MAX_RETRY_AFTER_MS}; `undefined` when the header is absent or unreadable. The
 * repository-service sends it with a 503 while Postgres is unavailable.
 */
export function retryAfterMs(header: string | null | undefined, nowMs = Date.now()): number | undefined {
  if (header === null || header === undefined) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Math.min(Number(value) * 1000, MAX_RETRY_AFTER_MS);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.min(Math.max(date - nowMs, 0), MAX_RETRY_AFTER_MS);
}
