import { useTestDatabase } from '@changeflow/test-support';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import {
  createSemaphore,
  migrateSemaphore,
  SEMAPHORE_MIGRATION_TABLE,
  type SemaphoreDatabase,
  semaphoreMigrations,
} from '../src/index.js';

const testDb = useTestDatabase<SemaphoreDatabase>('semaphore_migrations', migrateSemaphore);

async function recordedMigrations(): Promise<string[]> {
  const { rows } = await sql<{
    name: string;
  }>`select name from ${sql.table(SEMAPHORE_MIGRATION_TABLE)} order by name`.execute(testDb().db);
  return rows.map((row) => row.name);
}

describe('migrateSemaphore', () => {
  it("creates semaphore_slots in the connection's schema and records the migration in its own table", async () => {
    expect(Object.keys(semaphoreMigrations)).toEqual(['0001-semaphore-slots', '0002-semaphore-wanted']);
    expect(await recordedMigrations()).toEqual(['0001-semaphore-slots', '0002-semaphore-wanted']);
    const { rows } = await sql<{ table_schema: string }>`
      select table_schema from information_schema.tables where table_name = 'semaphore_slots'
        and table_schema = current_schema()`.execute(testDb().db);
    expect(rows).toEqual([{ table_schema: testDb().schema }]);
  });

  it('runs again without change, keeping the leases', async () => {
    const lease = await createSemaphore(testDb().db).acquire('kept', 1, 60_000, 'h');
    await migrateSemaphore(testDb().db);
    expect(await recordedMigrations()).toEqual(['0001-semaphore-slots', '0002-semaphore-wanted']);
    expect((await createSemaphore(testDb().db).holders('kept')).map((h) => h.token)).toEqual([lease?.token]);
  });

  it("can be run again by another package's migrator: every statement is idempotent", async () => {
    for (const migration of Object.values(semaphoreMigrations)) await migration.up(testDb().db);
    expect(await createSemaphore(testDb().db).holders('kept')).toHaveLength(1);
  });

  it('upgrades a table of 0001 holding a live lease: the lease goes on, nobody waiting for it', async () => {
    const { db } = testDb();
    await sql`drop table semaphore_slots`.execute(db);
    await semaphoreMigrations['0001-semaphore-slots']?.up(db);
    await sql`insert into semaphore_slots (key, slot, holder, expires_at)
              values ('old', 0, 'h', now() + interval '1 minute')`.execute(db);
    const { rows } = await sql<{ token: string; acquired_at: Date; expires_at: Date }>`
      select token, acquired_at, expires_at from semaphore_slots where key = 'old'`.execute(db);
    const [old] = rows;
    // This version reads wanted_at: before 0002 it says what to run instead of blaming the network.
    await expect(createSemaphore(db).holders('old')).rejects.toThrow(
      /SQLSTATE 42703.*run migrateSemaphore\(db\) on this database \(semaphore_slots lacks a column this version reads\)/,
    );
    await semaphoreMigrations['0002-semaphore-wanted']?.up(db);
    const held = {
      key: 'old',
      slot: 0,
      token: old?.token ?? '',
      holder: 'h',
      leaseMs: 60_000,
      acquiredAt: old?.acquired_at ?? new Date(),
      expiresAt: old?.expires_at ?? new Date(),
    };
    expect(await createSemaphore(db).isWanted(held)).toBe(false);
    expect((await createSemaphore(db).holders('old')).map((holder) => holder.wantedAt)).toEqual([null]);
    expect(await createSemaphore(db).acquire('old', 1, 60_000, 'standby')).toBeUndefined();
    expect(await createSemaphore(db).isWanted(held)).toBe(true);
  });

  it('refuses a token written by hand: tokens come only from the sequence', async () => {
    await expect(
      sql`insert into semaphore_slots (key, slot, token, holder, expires_at)
          values ('forged', 0, 999999999, 'h', now() + interval '1 minute')`.execute(testDb().db),
    ).rejects.toThrow(/cannot insert a non-DEFAULT value into column "token"/);
  });
});
