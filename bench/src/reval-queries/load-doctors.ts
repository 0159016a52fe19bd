import { DEFAULT_DESIGNATED_BODIES, type RevalIndexDatabase } from '@changeflow/reval';
import { type Kysely, sql } from 'kysely';
import { ADMINS, EXCEPTION_REASONS, FIRST_NAMES, GRADES, LAST_NAMES, PROGRAMMES } from './doctor-data.js';

/** The 14 designated bodies with their first (own) owner: the "London LETBs" aliases come later. */
export const DESIGNATED_BODIES = DEFAULT_DESIGNATED_BODIES.filter(
  (body, index, all) => all.findIndex((other) => other.code === body.code) === index,
);

/** The four London bodies: one officer often serves all of them. */
export const LONDON_BODIES = DEFAULT_DESIGNATED_BODIES.filter((body) => body.owner === 'London LETBs').map(
  (body) => body.code,
);

/** How many documents each index holds after the load. */
export type IndexSizes = Record<
  'recommendation' | 'connected' | 'disconnected' | 'exception' | 'discrepancies',
  number
>;

/**
 * Loads `count` doctors into the recommendation index in one `insert … select … from generate_series`,
 * then fills the connection indexes from it with REVAL.md's rules, set-based, and VACUUM ANALYZEs
 * every table (what autovacuum would have done by the time anyone queries: statistics for the planner
 * and a visibility map for index-only scans).
 *
 * The doctors: ~90% in the GMC (connected to one of the 14 bodies, evenly), the rest disconnected;
 * under notice YES 20%, ON_HOLD 10%; 95% with a TCS programme membership (5% with two programmes),
 * membership ends from six months ago to four years ahead; the TCS body agrees with the GMC one for
 * ~88%; GMC outcomes and recommendation statuses mixed; half have an admin; 2% a connection failure.
 * `random()` is seeded, so every run loads the same doctors.
 */
export async function loadDoctors(
  db: Kysely<RevalIndexDatabase>,
  indexSchema: string,
  count: number,
  seed: number,
): Promise<IndexSizes> {
  const codes = DESIGNATED_BODIES.map((body) => body.code);
  const owners = DESIGNATED_BODIES.map((body) => body.owner);
  const table = (name: string) => sql.id(indexSchema, name);
  await db.connection().execute(async (connection) => {
    // setseed applies to this session's random(), so the load runs on one connection.
    await sql`select setseed(${(seed % 1000) / 1000})`.execute(connection);
    await sql`
      with base as (
        select g,
          random() < 0.9 as in_gmc,
          1 + floor(random() * ${codes.length})::int as body,
          random() < 0.95 as in_tcs,
          random() as r_tcs_body, 1 + floor(random() * ${codes.length})::int as other_body,
          random() as r_first, random() as r_last, random() as r_notice, random() as r_gmc_status,
          random() as r_tis_status, random() as r_programme, random() as r_second, random() as r_type,
          random() as r_start, random() as r_end, random() as r_curriculum, random() as r_submission,
          random() as r_grade, random() as r_admin, random() as r_failure, random() as r_updated
        from generate_series(1, ${count}::int) as g
      ), doctor as (
        select b.*,
          case when in_tcs and r_tcs_body >= 0.12 then body when in_tcs then other_body end as tcs_body,
          (current_date - 200 - floor(r_start * 2000)::int) as start_date,
          (current_date - 180 + floor(r_end * 1640)::int) as end_date
        from base b
      )
      insert into ${table('recommendation')} (
        gmc_reference_number, tcs_person_id, doctor_first_name, doctor_last_name, submission_date,
        programme_name, membership_type, membership_start_date, membership_end_date, curriculum_end_date,
        programme_owner, tcs_designated_body, designated_body, placement_grade, admin, under_notice,
        exists_in_gmc, gmc_status, tis_status, connection_status, exception_reason, last_updated_date
      )
      select
        lpad((1000000 + (g::bigint * 7919) % 9000000)::text, 7, '0'),
        case when in_tcs then g end,
        (${FIRST_NAMES}::text[])[1 + floor(r_first * ${FIRST_NAMES.length})::int],
        (${LAST_NAMES}::text[])[1 + floor(r_last * ${LAST_NAMES.length})::int],
        case when in_gmc then (current_date - 60 + floor(r_submission * 1900)::int)::text end,
        case when in_tcs then
          (${PROGRAMMES}::text[])[1 + floor(r_programme * ${PROGRAMMES.length})::int]
          || case when r_second < 0.05
               then ' | ' || (${PROGRAMMES}::text[])[1 + floor(r_second * 20 * ${PROGRAMMES.length})::int]
               else '' end
        end,
        case when in_tcs then
          case when r_type < 0.85 then 'SUBSTANTIVE' when r_type < 0.90 then 'LAT' when r_type < 0.94 then 'FTSTA'
               when r_type < 0.97 then 'VISITOR' else 'MILITARY' end
        end,
        case when in_tcs then start_date::text end,
        case when in_tcs then end_date::text end,
        case when in_tcs then (end_date + floor(r_curriculum * 200)::int)::text end,
        (${owners}::text[])[tcs_body],
        (${codes}::text[])[tcs_body],
        case when in_gmc then (${codes}::text[])[body] end,
        case when in_tcs then (${GRADES}::text[])[1 + floor(r_grade * ${GRADES.length})::int] end,
        case when r_admin < 0.5 then (${ADMINS}::text[])[1 + floor(r_admin * 2 * ${ADMINS.length})::int] end,
        case when in_gmc then
          case when r_notice < 0.2 then 'YES' when r_notice < 0.3 then 'ON_HOLD' else 'NO' end
        end,
        in_gmc,
        case when r_gmc_status < 0.25 then 'Approved' when r_gmc_status < 0.4 then 'Under Review'
             when r_gmc_status < 0.45 then 'Rejected' end,
        case when r_tis_status < 0.5 then 'NOT_STARTED' when r_tis_status < 0.7 then 'DRAFT'
             when r_tis_status < 0.85 then 'SUBMITTED_TO_GMC' else 'COMPLETED' end,
        case when in_gmc then 'Yes' else 'No' end,
        case when r_failure < 0.02
             then (${EXCEPTION_REASONS}::text[])[1 + floor(r_failure * 50 * ${EXCEPTION_REASONS.length})::int] end,
        (current_date - floor(r_updated * 400)::int)::text
      from doctor`.execute(connection);
  });

  const from = table('recommendation');
  await sql`insert into ${table('connected')} select * from ${from} where connection_status = 'Yes'`.execute(db);
  await sql`insert into ${table('disconnected')} select * from ${from} where connection_status = 'No'`.execute(db);
  await sql`
    insert into ${table('exception')} select * from ${from}
    where upper(membership_type) = 'VISITOR'
       or (membership_end_date < current_date::text and connection_status = 'Yes')
       or coalesce(btrim(exception_reason), '') <> ''`.execute(db);
  await sql`
    insert into ${table('discrepancies')} select * from ${from}
    where tcs_designated_body is distinct from designated_body
      and coalesce(upper(membership_type), '') not like '%MILITARY%'
      and coalesce(placement_grade, '') <> '279'`.execute(db);

  const sizes: Record<string, number> = {};
  for (const name of ['recommendation', 'connected', 'disconnected', 'exception', 'discrepancies'] as const) {
    await sql`vacuum analyze ${table(name)}`.execute(db);
    const { rows } = await sql<{ count: string }>`select count(*) as count from ${table(name)}`.execute(db);
    sizes[name] = Number(rows[0]?.count ?? 0);
  }
  return sizes as IndexSizes;
}
