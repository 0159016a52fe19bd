import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  indexDifferences,
  londonToday,
  migrateRevalIndex,
  projectAllGmcNumbers,
  REVAL_INDEX_TABLES,
  type RevalDatabase,
} from '@changeflow/reval';
import { SOURCE_NODE_ARGS } from '@changeflow/test-support';
import { type Kysely, sql } from 'kysely';
import type { Cluster } from '../support/cluster.js';

/** The `changeflow` command, run as an on-call engineer runs it. */
const CLI_BIN = fileURLToPath(new URL('../../../packages/cli/src/bin/changeflow.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** Rows of each index and side the divergence report lists at most. */
const DIFFERENCES_SHOWN = 20;

/**
 * The change log against what the audit queue saw: committed changes never seen published (G3), and
 * change numbers seen published that no committed change has (G2: a transaction that rolled back,
 * say because its service was SIGKILLed mid-write, must publish nothing).
 */
export async function unpublishedChanges<DB>(
  db: Kysely<DB>,
  seen: ReadonlySet<string>,
): Promise<{ committed: number; missing: string[]; uncommitted: string[] }> {
  const { rows } = await sql<{ n: string }>`
    select change_number::text as n from changes order by change_number`.execute(db);
  const committed = new Set(rows.map((row) => row.n));
  return {
    committed: rows.length,
    missing: rows.map((row) => row.n).filter((n) => !seen.has(n)),
    uncommitted: [...seen].filter((n) => !committed.has(n)).sort((a, b) => Number(a) - Number(b)),
  };
}

/** Acknowledged writes whose change is not in the change log (G1: an answer 2xx means committed). */
export async function lostAcknowledgedWrites<DB>(db: Kysely<DB>, changeNumbers: readonly string[]): Promise<string[]> {
  const { rows } = await sql<{ n: string }>`
    select n from unnest(${[...changeNumbers]}::text[]) as n
    where not exists (select 1 from changes where change_number = n::bigint)`.execute(db);
  return rows.map((row) => row.n);
}

/** What a comparison of the live indexes with a fresh projection found. */
export interface Divergence {
  /** Documents in the fresh projection (the master index). */
  freshDocuments: number;
  /** GMC numbers whose documents differ in some index. */
  gmcNumbers: string[];
  /** The differing rows, per index and side (at most 20 of each). */
  differences: Record<string, unknown[]>;
}

/**
 * Projects all the primary data afresh into `freshSchema` (migrated if new, emptied first) beside the live
 * indexes in `liveSchema` and compares every index (G4). Empty `gmcNumbers` means every index equals
 * the projection of the latest committed state.
 */
export async function compareWithFreshProjection(
  db: Kysely<RevalDatabase>,
  liveSchema: string,
  freshSchema: string,
  today: string = londonToday(new Date()),
): Promise<Divergence> {
  // Migrating is idempotent (and remembered per schema), so a second comparison empties the tables.
  await migrateRevalIndex(db, freshSchema);
  for (const table of REVAL_INDEX_TABLES) await sql`truncate ${sql.id(freshSchema, table)}`.execute(db);
  const freshDocuments = await projectAllGmcNumbers(db, freshSchema, today);
  const differences = await indexDifferences(db, liveSchema, freshSchema, DIFFERENCES_SHOWN);
  const gmcNumbers = new Set<string>();
  for (const rows of Object.values(differences)) {
    for (const { doc } of rows ?? []) {
      const gmc = doc.gmc_reference_number;
      if (typeof gmc === 'string') gmcNumbers.add(gmc);
    }
  }
  return { freshDocuments, gmcNumbers: [...gmcNumbers].sort(), differences: differences as Record<string, unknown[]> };
}

/** Runs `changeflow <args> --json` on the cluster and parses what it printed. */
export async function runCli<T>(cluster: Cluster, args: readonly string[]): Promise<{ code: number; result: T }> {
  const child = spawn(process.execPath, [...SOURCE_NODE_ARGS, CLI_BIN, ...args, '--json'], {
    cwd: REPO_ROOT,
    env: cluster.cliEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const code = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (exitCode) => resolve(exitCode ?? 1));
  });
  try {
    return { code, result: JSON.parse(stdout) as T };
  } catch {
    throw new Error(`changeflow ${args.join(' ')} exited ${code} without JSON: ${stdout}${stderr}`.slice(0, 2_000));
  }
}
