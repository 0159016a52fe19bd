import { type Kysely, sql } from 'kysely';

/** The poisoned doctor's GMC number: outside the write load's range, so only the soak writes it. */
export const POISONED_GMC_NUMBER = '7999999';
/** The error every projection of the poisoned doctor fails with, as the DLQ records it. */
export const POISON_MESSAGE = 'soak poison';

/**
 * Makes every projection of {@link POISONED_GMC_NUMBER} fail, as a bad record or a broken store
 * would: a trigger on the index store's `master` table raises on any insert or delete of its row.
 * The fault lives in the data, not in the worker, so the worker runs exactly as deployed; it retries
 * the poisoned change with backoff until SQS dead-letters it (G5).
 */
export async function poisonDoctor<DB>(db: Kysely<DB>, indexSchema: string): Promise<void> {
  const fn = sql.id(indexSchema, 'soak_poison');
  await sql`
    create or replace function ${fn}() returns trigger language plpgsql as $$
    begin
      if coalesce(new.gmc_reference_number, old.gmc_reference_number) = tg_argv[0] then
        raise exception '${sql.raw(POISON_MESSAGE)}: GMC number % cannot be projected until it is fixed', tg_argv[0];
      end if;
      return coalesce(new, old);
    end $$`.execute(db);
  await sql`
    create trigger soak_poison before insert or delete on ${sql.id(indexSchema, 'master')}
    for each row execute function ${fn}(${sql.lit(POISONED_GMC_NUMBER)})`.execute(db);
}

/** The fix: drops the trigger, so the poisoned doctor projects again once its dead letters are replayed. */
export async function curePoison<DB>(db: Kysely<DB>, indexSchema: string): Promise<void> {
  await sql`drop trigger if exists soak_poison on ${sql.id(indexSchema, 'master')}`.execute(db);
  await sql`drop function if exists ${sql.id(indexSchema, 'soak_poison')}()`.execute(db);
}

/** A write of the poisoned doctor: a GMC record whose every change will fail in the worker. */
export function poisonedWrite(round: number) {
  return {
    kind: 'poisoned',
    method: 'PUT' as const,
    path: `/api/gmc/doctors/${POISONED_GMC_NUMBER}`,
    body: {
      doctorFirstName: 'Poisoned',
      doctorLastName: `Round${round}`,
      underNotice: 'YES',
      designatedBodyCode: '1-1RUZUSF',
      existsInGmc: true,
    },
  };
}
