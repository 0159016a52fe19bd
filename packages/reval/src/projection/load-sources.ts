import { type Kysely, sql } from 'kysely';
import type { ConnectionFailure, GmcDoctor, GmcNumberSources, Recommendation, Trainee } from '../model.js';
import type { RevalDatabase } from '../store/schema.js';

/**
 * Reads the current primary data of many GMC numbers in four set-based queries. Deleted rows are
 * left out: a GMC number whose objects were all deleted gets empty sources (and so no document).
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
  const [trainees, doctors, recommendations, failures] = await Promise.all([
    db
      .selectFrom('reval_trainee')
      .selectAll()
      .where(sql<boolean>`gmc_reference_number ${list}`)
      .where('deleted_at', 'is', null)
      .execute(),
    db
      .selectFrom('reval_gmc_doctor')
      .selectAll()
      .where(sql<boolean>`gmc_reference_number ${list}`)
      .where('deleted_at', 'is', null)
      .execute(),
    db
      .selectFrom('reval_recommendation')
      .selectAll()
      .where(sql<boolean>`gmc_reference_number ${list}`)
      .where('deleted_at', 'is', null)
      .execute(),
    db
      .selectFrom('reval_connection_failure')
      .selectAll()
      .where(sql<boolean>`gmc_reference_number ${list}`)
      .where('deleted_at', 'is', null)
      .execute(),
  ]);
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
