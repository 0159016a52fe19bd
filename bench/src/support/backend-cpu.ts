import { type Kysely, sql } from 'kysely';
import { pidCpuSeconds } from './cpu-usage.js';

/** One Postgres backend's CPU so far, and the `application_name` of the client it serves. */
export interface BackendCpu {
  readonly applicationName: string;
  readonly seconds: number;
}

/**
 * CPU seconds each client backend of the current database has used so far, by pid (Linux /proc, so
 * Postgres must run on this machine). Read per backend, so a connection a pool opens or closes
 * between two readings cannot skew a sum (see {@link backendCpuSecondsBetween}).
 */
export async function readBackendCpu<DB>(db: Kysely<DB>): Promise<Map<number, BackendCpu>> {
  const { rows } = await sql<{ pid: number; application_name: string }>`
    select pid, application_name from pg_stat_activity
    where datname = current_database() and backend_type = 'client backend'`.execute(db);
  return new Map(
    rows.map((row) => [row.pid, { applicationName: row.application_name, seconds: pidCpuSeconds(row.pid) }]),
  );
}

/**
 * CPU seconds the backends whose client `serves` spent between two readings. A backend counts from
 * the first reading that saw it (0 when it connected in between) to the second; one that closed in
 * between, or whose CPU could not be read, is not counted: long-lived pools are measured, not
 * one-off connections.
 */
export function backendCpuSecondsBetween(
  before: ReadonlyMap<number, BackendCpu>,
  after: ReadonlyMap<number, BackendCpu>,
  serves: (applicationName: string) => boolean,
): number {
  let seconds = 0;
  for (const [pid, backend] of after) {
    if (!serves(backend.applicationName) || !Number.isFinite(backend.seconds)) continue;
    seconds += backend.seconds - (before.get(pid)?.seconds ?? 0);
  }
  return seconds;
}
