import type { ChangeRecorder, RecordedChange, RecordedWrite, ReturningWrite } from '@changeflow/outbox';
import { type Kysely, sql } from 'kysely';
import { REVAL_OBJECT_TYPES } from '../object-types.js';
import type { RevalDatabase } from '../store/schema.js';
import type { ConnectionFailureInput, GmcDoctorInput, RecommendationInput, TraineeInput } from './inputs.js';

/** Where a write happens: the caller's transaction and the recorder of its changes. */
export interface WriteContext {
  trx: Kysely<RevalDatabase>;
  changes: ChangeRecorder;
  /** Who writes, recorded on each change. */
  userId?: string | null;
  /** W3C traceparent of the request, carried to the workers. */
  traceparent?: string | null;
}

/** Keeps the last of several records with the same key: one statement may touch a row only once. */
function lastByKey<T>(records: readonly T[], key: (record: T) => string): T[] {
  return [...new Map(records.map((record) => [key(record), record])).values()];
}

/**
 * Runs an upsert that returns `id`, `version` and `created`, and records one change per row in the
 * same statement (one round trip fewer than the upsert and then the change insert).
 */
function recordUpsert<O extends { id: string; version: string; created: boolean }>(
  context: WriteContext,
  objectType: string,
  write: ReturningWrite<O>,
): Promise<RecordedWrite<O>> {
  return context.changes.recordWrite(write, {
    objectType,
    objectId: 'id',
    objectVersion: 'version',
    changeType: { createdColumn: 'created' },
    userId: context.userId ?? null,
    traceparent: context.traceparent ?? null,
  });
}

/** Files each object under its GMC numbers, so a later change can find every document it touched. */
async function fileUnderGmcNumbers(
  context: WriteContext,
  objectType: string,
  pairs: Array<{ id: string; gmc: string | null }>,
): Promise<void> {
  const values = pairs
    .filter((pair): pair is { id: string; gmc: string } => pair.gmc !== null && pair.gmc !== '')
    .map((pair) => ({ object_type: objectType, object_id: pair.id, gmc_reference_number: pair.gmc }));
  if (values.length === 0) return;
  await context.trx
    .insertInto('reval_object_gmc')
    .values(values)
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/** `xmax = 0` on a returned row means the upsert inserted it. */
const created = sql<boolean>`xmax = 0`.as('created');

/** Creates or replaces trainees, bumping each one's version, and records a change per trainee. */
export async function saveTrainees(context: WriteContext, inputs: readonly TraineeInput[]): Promise<RecordedChange[]> {
  const records = lastByKey(inputs, (input) => String(input.tcsPersonId));
  if (records.length === 0) return [];
  const { rows, changes } = await recordUpsert(
    context,
    REVAL_OBJECT_TYPES.trainee,
    context.trx
      .insertInto('reval_trainee')
      .values(
        records.map((input) => ({
          tcs_person_id: input.tcsPersonId,
          gmc_reference_number: input.gmcReferenceNumber,
          first_name: input.firstName,
          last_name: input.lastName,
          role: input.role,
          programme_memberships: JSON.stringify(input.programmeMemberships),
          placements: JSON.stringify(input.placements),
          version: 1,
          deleted_at: null,
        })),
      )
      .onConflict((oc) =>
        oc.column('tcs_person_id').doUpdateSet((eb) => ({
          gmc_reference_number: eb.ref('excluded.gmc_reference_number'),
          first_name: eb.ref('excluded.first_name'),
          last_name: eb.ref('excluded.last_name'),
          role: eb.ref('excluded.role'),
          programme_memberships: eb.ref('excluded.programme_memberships'),
          placements: eb.ref('excluded.placements'),
          version: sql`reval_trainee.version + 1`,
          updated_at: sql`now()`,
          deleted_at: null,
        })),
      )
      .returning(['tcs_person_id as id', 'version', 'gmc_reference_number', created]),
  );
  await fileUnderGmcNumbers(
    context,
    REVAL_OBJECT_TYPES.trainee,
    rows.map((row) => ({ id: row.id, gmc: row.gmc_reference_number })),
  );
  return changes;
}

/** Creates or replaces GMC doctors and records a change per doctor. */
export async function saveGmcDoctors(
  context: WriteContext,
  inputs: readonly GmcDoctorInput[],
): Promise<RecordedChange[]> {
  const records = lastByKey(inputs, (input) => input.gmcReferenceNumber);
  if (records.length === 0) return [];
  const { changes } = await recordUpsert(
    context,
    REVAL_OBJECT_TYPES.gmcDoctor,
    context.trx
      .insertInto('reval_gmc_doctor')
      .values(
        records.map((input) => ({
          gmc_reference_number: input.gmcReferenceNumber,
          doctor_first_name: input.doctorFirstName,
          doctor_last_name: input.doctorLastName,
          submission_date: input.submissionDate,
          date_added: input.dateAdded,
          under_notice: input.underNotice,
          sanction: input.sanction,
          designated_body_code: input.designatedBodyCode,
          admin: input.admin,
          exists_in_gmc: input.existsInGmc,
          last_updated_date: input.lastUpdatedDate,
          version: 1,
          deleted_at: null,
        })),
      )
      .onConflict((oc) =>
        oc.column('gmc_reference_number').doUpdateSet((eb) => ({
          doctor_first_name: eb.ref('excluded.doctor_first_name'),
          doctor_last_name: eb.ref('excluded.doctor_last_name'),
          submission_date: eb.ref('excluded.submission_date'),
          date_added: eb.ref('excluded.date_added'),
          under_notice: eb.ref('excluded.under_notice'),
          sanction: eb.ref('excluded.sanction'),
          designated_body_code: eb.ref('excluded.designated_body_code'),
          admin: eb.ref('excluded.admin'),
          exists_in_gmc: eb.ref('excluded.exists_in_gmc'),
          last_updated_date: eb.ref('excluded.last_updated_date'),
          version: sql`reval_gmc_doctor.version + 1`,
          updated_at: sql`now()`,
          deleted_at: null,
        })),
      )
      .returning(['gmc_reference_number as id', 'version', created]),
  );
  return changes;
}

/** Creates or replaces recommendations and records a change per recommendation. */
export async function saveRecommendations(
  context: WriteContext,
  inputs: readonly RecommendationInput[],
): Promise<RecordedChange[]> {
  const records = lastByKey(inputs, (input) => input.id);
  if (records.length === 0) return [];
  const { rows, changes } = await recordUpsert(
    context,
    REVAL_OBJECT_TYPES.recommendation,
    context.trx
      .insertInto('reval_recommendation')
      .values(
        records.map((input) => ({
          id: input.id,
          gmc_reference_number: input.gmcReferenceNumber,
          type: input.type,
          status: input.status,
          outcome: input.outcome,
          gmc_submission_date: input.gmcSubmissionDate,
          actual_submission_date: input.actualSubmissionDate,
          admin: input.admin,
          version: 1,
          deleted_at: null,
        })),
      )
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          gmc_reference_number: eb.ref('excluded.gmc_reference_number'),
          type: eb.ref('excluded.type'),
          status: eb.ref('excluded.status'),
          outcome: eb.ref('excluded.outcome'),
          gmc_submission_date: eb.ref('excluded.gmc_submission_date'),
          actual_submission_date: eb.ref('excluded.actual_submission_date'),
          admin: eb.ref('excluded.admin'),
          version: sql`reval_recommendation.version + 1`,
          updated_at: sql`now()`,
          deleted_at: null,
        })),
      )
      .returning(['id', 'version', 'gmc_reference_number', created]),
  );
  await fileUnderGmcNumbers(
    context,
    REVAL_OBJECT_TYPES.recommendation,
    rows.map((row) => ({ id: row.id, gmc: row.gmc_reference_number })),
  );
  return changes;
}

/** Records or clears (reason `null`) the last connection failure of GMC numbers. */
export async function saveConnectionFailures(
  context: WriteContext,
  inputs: readonly ConnectionFailureInput[],
): Promise<RecordedChange[]> {
  const records = lastByKey(inputs, (input) => input.gmcReferenceNumber);
  if (records.length === 0) return [];
  const { changes } = await recordUpsert(
    context,
    REVAL_OBJECT_TYPES.connectionFailure,
    context.trx
      .insertInto('reval_connection_failure')
      .values(
        records.map((input) => ({
          gmc_reference_number: input.gmcReferenceNumber,
          reason: input.reason,
          version: 1,
          deleted_at: null,
        })),
      )
      .onConflict((oc) =>
        oc.column('gmc_reference_number').doUpdateSet((eb) => ({
          reason: eb.ref('excluded.reason'),
          version: sql`reval_connection_failure.version + 1`,
          updated_at: sql`now()`,
          deleted_at: null,
        })),
      )
      .returning(['gmc_reference_number as id', 'version', created]),
  );
  return changes;
}

/** The primary tables by object type, with their key column, for deletes. */
const DELETABLE = {
  trainee: { table: 'reval_trainee', key: 'tcs_person_id' },
  'gmc-doctor': { table: 'reval_gmc_doctor', key: 'gmc_reference_number' },
  recommendation: { table: 'reval_recommendation', key: 'id' },
  'connection-failure': { table: 'reval_connection_failure', key: 'gmc_reference_number' },
} as const;

export type DeletableObjectType = keyof typeof DELETABLE;

/**
 * Deletes one object: marks it deleted and bumps its version (the row stays, so the projection can
 * still find its GMC numbers), and records a DELETE change, in one statement: it may run outside a
 * transaction (`outbox.oneStatement`). `undefined` when there was none to delete.
 */
export async function deleteRecord(
  context: WriteContext,
  objectType: DeletableObjectType,
  id: string,
): Promise<RecordedChange | undefined> {
  const { table, key } = DELETABLE[objectType];
  if (objectType === 'trainee' && !/^\d{1,18}$/.test(id)) return undefined;
  // The four tables share the columns written here; Kysely cannot type an update of "one of them".
  const primary = context.trx as unknown as Kysely<
    Record<string, { deleted_at: unknown; updated_at: unknown; version: unknown }>
  >;
  const { changes } = await context.changes.recordWrite(
    primary
      .updateTable(table)
      .set({ deleted_at: sql`now()`, updated_at: sql`now()`, version: sql`version + 1` })
      .where(sql.ref(key), '=', id)
      .where('deleted_at', 'is', null)
      .returning([sql<string>`${sql.ref(key)}::text`.as('id'), sql<string>`version`.as('version')]),
    {
      objectType,
      objectId: 'id',
      objectVersion: 'version',
      changeType: 'DELETE',
      userId: context.userId ?? null,
      traceparent: context.traceparent ?? null,
    },
  );
  return changes[0];
}
