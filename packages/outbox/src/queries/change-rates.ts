import { type Kysely, sql } from 'kysely';
import type { OutboxDatabase } from '../schema.js';

/** Changes recorded and published in one time bucket. */
export interface ChangeRateBucket {
  /** Start of the bucket (database clock). */
  startsAt: Date;
  recorded: number;
  published: number;
}

/**
 * Changes recorded and published per bucket over the last `windowSeconds`, oldest first, every
 * bucket present (zero when empty). Both counts read only changes recorded within the window plus a
 * margin, so the `created_at` index bounds the work; a change republished long after it was
 * recorded is not counted. For the console's pipeline chart.
 */
export async function changeRates(
  db: Kysely<OutboxDatabase>,
  windowSeconds: number,
  bucketSeconds: number,
): Promise<ChangeRateBucket[]> {
  const buckets = Math.ceil(windowSeconds / bucketSeconds);
  const { rows } = await sql<{ starts_at: Date; recorded: string; published: string }>`
    with bounds as (
      select to_timestamp(floor(extract(epoch from now()) / ${bucketSeconds}) * ${bucketSeconds}) as last_start
    ),
    series as (
      select last_start - make_interval(secs => ${bucketSeconds} * n) as starts_at
      from bounds, generate_series(0, ${buckets - 1}) as n
    ),
    recent as (
      select created_at, published_at from changes
      where created_at >= (select last_start from bounds) - make_interval(secs => ${bucketSeconds * (buckets + 6)})
    )
    select s.starts_at,
      (select count(*) from recent r
        where r.created_at >= s.starts_at and r.created_at < s.starts_at + make_interval(secs => ${bucketSeconds})) as recorded,
      (select count(*) from recent r
        where r.published_at >= s.starts_at and r.published_at < s.starts_at + make_interval(secs => ${bucketSeconds})) as published
    from series s
    order by s.starts_at`.execute(db);
  return rows.map((row) => ({
    startsAt: new Date(row.starts_at),
    recorded: Number(row.recorded),
    published: Number(row.published),
  }));
}
