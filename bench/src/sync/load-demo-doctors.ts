import { type DemoDoctor, generateDoctors } from '@changeflow/demo-data';
import type { Outbox } from '@changeflow/outbox';
import {
  type RevalDatabase,
  saveConnectionFailures,
  saveGmcDoctors,
  saveRecommendations,
  saveTrainees,
} from '@changeflow/reval';
import { type Kysely, sql } from 'kysely';
import { showProgress } from '../support/progress.js';

/** Doctors written per outbox transaction: what one bulk import request of the service writes. */
const DOCTORS_PER_TRANSACTION = 2_000;

/** The primary tables the load fills, analysed once it is done. */
const PRIMARY_TABLES = [
  'reval_trainee',
  'reval_gmc_doctor',
  'reval_recommendation',
  'reval_connection_failure',
  'reval_object_gmc',
] as const;

/** What the load wrote and how long it took. */
export interface LoadResult {
  readonly trainees: number;
  readonly gmcDoctors: number;
  readonly recommendations: number;
  readonly connectionFailures: number;
  /** Changes the outbox recorded (one per record written). */
  readonly changes: number;
  readonly transactions: number;
  /** Generating the records, writing them and recording their changes, transaction by transaction. */
  readonly writeMs: number;
  /** Waiting for the outbox to publish the last of the changes to SNS. */
  readonly flushMs: number;
  /** `VACUUM ANALYZE` of the primary tables, as autovacuum would have done before a sync. */
  readonly analyzeMs: number;
}

/**
 * Writes `doctors` demo doctors (`@changeflow/demo-data`, seeded) into the primary tables the way the
 * repository-service does: per transaction of {@link DOCTORS_PER_TRANSACTION} doctors, their
 * trainees, GMC doctors, recommendations and connection failures through reval's save functions,
 * each record's change recorded by the outbox and published after the commit.
 */
export async function loadDemoDoctors(
  db: Kysely<RevalDatabase>,
  outbox: Outbox<RevalDatabase>,
  options: { doctors: number; seed: number; today: string; signal: AbortSignal },
): Promise<LoadResult> {
  const counts = { trainees: 0, gmcDoctors: 0, recommendations: 0, connectionFailures: 0, changes: 0 };
  let transactions = 0;
  let doctorsDone = 0;
  const stopProgress = showProgress(() => `sync: loaded ${doctorsDone} of ${options.doctors} doctors`);
  const started = performance.now();
  try {
    let batch: DemoDoctor[] = [];
    const write = async () => {
      const written = batch;
      batch = [];
      await outbox.transaction(async (trx, changes) => {
        const context = { trx, changes, userId: 'bench' };
        const recorded = [
          ...(await saveTrainees(
            context,
            written.flatMap((doctor) => doctor.trainees),
          )),
          ...(await saveGmcDoctors(
            context,
            written.flatMap((doctor) => (doctor.gmcDoctor ? [doctor.gmcDoctor] : [])),
          )),
          ...(await saveRecommendations(
            context,
            written.flatMap((doctor) => doctor.recommendations),
          )),
          ...(await saveConnectionFailures(
            context,
            written.flatMap((doctor) => (doctor.connectionFailure ? [doctor.connectionFailure] : [])),
          )),
        ];
        counts.changes += recorded.length;
      });
      for (const doctor of written) {
        counts.trainees += doctor.trainees.length;
        counts.gmcDoctors += doctor.gmcDoctor ? 1 : 0;
        counts.recommendations += doctor.recommendations.length;
        counts.connectionFailures += doctor.connectionFailure ? 1 : 0;
      }
      transactions += 1;
      doctorsDone += written.length;
    };
    for (const doctor of generateDoctors({ doctors: options.doctors, seed: options.seed, today: options.today })) {
      if (options.signal.aborted) throw options.signal.reason;
      batch.push(doctor);
      if (batch.length >= DOCTORS_PER_TRANSACTION) await write();
    }
    if (batch.length > 0) await write();
  } finally {
    stopProgress();
  }
  const writeMs = performance.now() - started;
  const flushStarted = performance.now();
  await outbox.flush();
  const flushMs = performance.now() - flushStarted;
  const analyzeStarted = performance.now();
  for (const table of PRIMARY_TABLES) await sql`vacuum analyze ${sql.id(table)}`.execute(db);
  const analyzeMs = performance.now() - analyzeStarted;
  return { ...counts, transactions, writeMs, flushMs, analyzeMs };
}
