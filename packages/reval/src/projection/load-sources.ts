import { type Kysely, type RawBuilder, type Selectable, sql } from 'kysely';
import type { ConnectionFailure, GmcDoctor, GmcNumberSources, Recommendation, Trainee } from '../model.js';
import type {
  RevalConnectionFailureTable,
  RevalDatabase,
  RevalGmcDoctorTable,
  RevalRecommendationTable,
  RevalTraineeTable,
} from '../store/schema.js';

/** A source row as the statement below hands it back: its table's columns the documents read. */
type TraineeRow = Pick<
  Selectable<RevalTraineeTable>,
  'gmc_reference_number' | 'first_name' | 'last_name' | 'role' | 'programme_memberships' | 'placements'
> & { tcs_person_id: string };
type GmcDoctorRow = Omit<Selectable<RevalGmcDoctorTable>, 'version' | 'updated_at' | 'deleted_at'>;
type RecommendationRow = Omit<Selectable<RevalRecommendationTable>, 'version' | 'updated_at' | 'deleted_at'>;
type ConnectionFailureRow = Pick<Selectable<RevalConnectionFailureTable>, 'gmc_reference_number' | 'reason'>;

/** The live rows of one source table for the GMC numbers `list`, as a JSON array of `columns`. */
function liveRows(table: string, columns: RawBuilder<unknown>, list: RawBuilder<boolean>): RawBuilder<unknown> {
  return sql`(select coalesce(json_agg(r), '[]') from (
    select ${columns} from ${sql.table(table)} where gmc_reference_number ${list} and deleted_at is null) as r)`;
}

/**
 * Reads the current primary data of many GMC numbers in one statement (each source table's live rows
 * as a JSON array: one round trip instead of four, and the four reads see one snapshot). Deleted rows
 * are left out: a GMC number whose objects were all deleted gets empty sources (and so no document).
 */
export async function loadSources(
  db: Kysely<RevalDatabase>,
  gmcNumbers: readonly string[],
): Promise<Map<string, GmcNumberSources>> {
  const sources = new Map<string, GmcNumberSources>(
    gmcNumbers.map((gmc) => [
      gmc,
      { gmcReferenceNumber: gmc, trainees: [], doctor: null, recommendations: [], connectionFailure: null },
    ]),
  );
  if (gmcNumbers.length === 0) return sources;
  const list = sql<boolean>`= any(${[...gmcNumbers]}::text[])`;
  const { rows } = await sql<{
    trainees: TraineeRow[];
    doctors: GmcDoctorRow[];
    recommendations: RecommendationRow[];
    failures: ConnectionFailureRow[];
  }>`select
    ${liveRows('reval_trainee', sql`tcs_person_id::text as tcs_person_id, gmc_reference_number, first_name, last_name, role, programme_memberships, placements`, list)} as trainees,
    ${liveRows('reval_gmc_doctor', sql`gmc_reference_number, doctor_first_name, doctor_last_name, submission_date, date_added, under_notice, sanction, designated_body_code, admin, exists_in_gmc, last_updated_date`, list)} as doctors,
    ${liveRows('reval_recommendation', sql`id, gmc_reference_number, type, status, outcome, gmc_submission_date, actual_submission_date, admin`, list)} as recommendations,
    ${liveRows('reval_connection_failure', sql`gmc_reference_number, reason`, list)} as failures`.execute(db);
  const { trainees = [], doctors = [], recommendations = [], failures = [] } = rows[0] ?? {};
  for (const row of trainees) {
    const trainee: Trainee = {
      tcsPersonId: Number(row.tcs_person_id),
      gmcReferenceNumber: row.gmc_reference_number,
      firstName: row.first_name,
      lastName: row.last_name,
      role: row.role,
      programmeMemberships: row.programme_memberships,
      placements: row.placements,
    };
    sources.get(row.gmc_reference_number ?? '')?.trainees.push(trainee);
  }
  for (const row of doctors) {
    const doctor: GmcDoctor = {
      gmcReferenceNumber: row.gmc_reference_number,
      doctorFirstName: row.doctor_first_name,
      doctorLastName: row.doctor_last_name,
      submissionDate: row.submission_date,
      dateAdded: row.date_added,
      underNotice: row.under_notice,
      sanction: row.sanction,
      designatedBodyCode: row.designated_body_code,
      admin: row.admin,
      existsInGmc: row.exists_in_gmc,
      lastUpdatedDate: row.last_updated_date,
    };
    const entry = sources.get(row.gmc_reference_number);
    if (entry) entry.doctor = doctor;
  }
  for (const row of recommendations) {
    const recommendation: Recommendation = {
      id: row.id,
      gmcReferenceNumber: row.gmc_reference_number,
      type: row.type,
      status: row.status,
      outcome: row.outcome,
      gmcSubmissionDate: row.gmc_submission_date,
      actualSubmissionDate: row.actual_submission_date,
      admin: row.admin,
    };
    sources.get(row.gmc_reference_number)?.recommendations.push(recommendation);
  }
  for (const row of failures) {
    const failure: ConnectionFailure = { gmcReferenceNumber: row.gmc_reference_number, reason: row.reason };
    const entry = sources.get(row.gmc_reference_number);
    if (entry) entry.connectionFailure = failure;
  }
  return sources;
}
