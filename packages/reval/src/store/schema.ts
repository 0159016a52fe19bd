import type { ConsumerDatabase } from '@changeflow/consumer';
import type { OutboxDatabase } from '@changeflow/outbox';
import type { ColumnType, Generated, Kysely } from 'kysely';
import type { Placement, ProgrammeMembership } from '../model.js';

type Json<T> = ColumnType<T, string, string>;
type Version = ColumnType<string, number | string, number | string>;

export interface RevalTraineeTable {
  tcs_person_id: ColumnType<string, number | string, number | string>;
  gmc_reference_number: string | null;
  first_name: string | null;
  last_name: string | null;
  role: string | null;
  programme_memberships: Json<ProgrammeMembership[]>;
  placements: Json<Placement[]>;
  version: Version;
  updated_at: Generated<Date>;
  deleted_at: Date | null;
}

export interface RevalGmcDoctorTable {
  gmc_reference_number: string;
  doctor_first_name: string | null;
  doctor_last_name: string | null;
  submission_date: string | null;
  date_added: string | null;
  under_notice: 'YES' | 'NO' | 'ON_HOLD' | null;
  sanction: string | null;
  designated_body_code: string | null;
  admin: string | null;
  exists_in_gmc: boolean;
  last_updated_date: string | null;
  version: Version;
  updated_at: Generated<Date>;
  deleted_at: Date | null;
}

export interface RevalRecommendationTable {
  id: string;
  gmc_reference_number: string;
  type: 'REVALIDATE' | 'DEFER' | 'NON_ENGAGEMENT' | null;
  status: string | null;
  outcome: 'APPROVED' | 'REJECTED' | 'UNDER_REVIEW' | null;
  gmc_submission_date: string | null;
  actual_submission_date: string | null;
  admin: string | null;
  version: Version;
  updated_at: Generated<Date>;
  deleted_at: Date | null;
}

export interface RevalConnectionFailureTable {
  gmc_reference_number: string;
  reason: string | null;
  version: Version;
  updated_at: Generated<Date>;
  deleted_at: Date | null;
}

export interface RevalObjectGmcTable {
  object_type: string;
  object_id: string;
  gmc_reference_number: string;
}

export interface RevalSyncJobTable {
  id: Generated<string>;
  state: Generated<'pending' | 'running' | 'succeeded' | 'failed'>;
  step: Generated<string>;
  generation_schema: string | null;
  snapshot: string | null;
  counts: ColumnType<Record<string, number>, string | undefined, string>;
  step_timings: ColumnType<Record<string, number>, string | undefined, string>;
  error: string | null;
  attempts: Generated<number>;
  requested_by: string | null;
  requested_at: Generated<Date>;
  started_at: Date | null;
  finished_at: Date | null;
  heartbeat_at: Date | null;
}

/**
 * The reval deployment's primary database: the reval data, the outbox's `changes` and the
 * consumer's `failed_messages` (`migrateRevalPrimary` creates the first two, `migrateConsumer` the
 * last, where workers or dead-letter tools run).
 */
export interface RevalDatabase extends OutboxDatabase, ConsumerDatabase {
  reval_sync_job: RevalSyncJobTable;
  reval_trainee: RevalTraineeTable;
  reval_gmc_doctor: RevalGmcDoctorTable;
  reval_recommendation: RevalRecommendationTable;
  reval_connection_failure: RevalConnectionFailureTable;
  reval_object_gmc: RevalObjectGmcTable;
}

/** One row of any reval index table: a master document. */
export interface IndexDocumentTable {
  gmc_reference_number: string;
  tcs_person_id: ColumnType<string | null, number | null, number | null>;
  conflicting_tcs_person_ids: ColumnType<string[], number[], number[]>;
  doctor_first_name: string | null;
  doctor_last_name: string | null;
  submission_date: string | null;
  programme_name: string | null;
  membership_type: string | null;
  membership_start_date: string | null;
  membership_end_date: string | null;
  curriculum_end_date: string | null;
  programme_owner: string | null;
  tcs_designated_body: string | null;
  designated_body: string | null;
  placement_grade: string | null;
  admin: string | null;
  under_notice: string | null;
  exists_in_gmc: boolean;
  gmc_status: string | null;
  tis_status: string;
  connection_status: string;
  exception_reason: string | null;
  last_updated_date: string | null;
  projected_at: Generated<Date>;
}

/** The index store, reached with `db.withSchema(indexSchema)`. */
export interface RevalIndexDatabase {
  master: IndexDocumentTable;
  recommendation: IndexDocumentTable;
  connected: IndexDocumentTable;
  disconnected: IndexDocumentTable;
  exception: IndexDocumentTable;
  discrepancies: IndexDocumentTable;
}

/** Any typed Kysely as one over unknown tables, for code that names tables dynamically (schemas, SQL). */
export function untypedDb<DB>(db: Kysely<DB>): Kysely<unknown> {
  return db as unknown as Kysely<unknown>;
}
