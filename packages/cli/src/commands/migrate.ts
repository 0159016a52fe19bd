import { migrateConsumer } from '@changeflow/consumer';
import { describePostgresUrl, explainPostgresError } from '@changeflow/errors';
import { migrateOutbox } from '@changeflow/outbox';
import { migrateRevalIndex, migrateRevalPrimary } from '@changeflow/reval';
import type { Command } from 'commander';
import type { Kysely } from 'kysely';
import type { CommandRunner } from '../context.js';
import { EXIT_CODES } from '../exit-codes.js';

/** What `migrate` works with: the primary database and the index store's (they may be the same). */
export interface MigrateDependencies<DB> {
  db: Kysely<DB>;
  databaseUrl: string;
  indexDb: Kysely<unknown>;
  indexDatabaseUrl: string;
  indexSchema: string;
  /** Told before each step starts, for progress. */
  onStep?: (step: MigrationStepName) => void;
}

export type MigrationStepName = 'outbox' | 'consumer' | 'reval-primary' | 'reval-index';

/** One step of `changeflow migrate`. */
export interface MigrationStep {
  step: MigrationStepName;
  /** `host:port/database` (and schema for the index) it ran against. */
  target: string;
  durationMs: number;
}

/** The result of `changeflow migrate`. */
export interface MigrateResult {
  steps: MigrationStep[];
}

/**
 * Brings the databases up to date, each step idempotent and safe to run from several processes: the
 * outbox (`changes`, `semaphore_slots`), the consumer (`failed_messages`) and the reval primary
 * tables on `DATABASE_URL`, then the reval index tables in `INDEX_SCHEMA` on `INDEX_DATABASE_URL`.
 */
export async function migrate<DB>(deps: MigrateDependencies<DB>): Promise<MigrateResult> {
  const steps: MigrationStep[] = [];
  const run = async (step: MigrationStepName, url: string, target: string, work: () => Promise<void>) => {
    deps.onStep?.(step);
    const started = performance.now();
    try {
      await work();
    } catch (err) {
      throw explainPostgresError(err, url, step === 'reval-index' ? 'INDEX_DATABASE_URL' : 'DATABASE_URL');
    }
    steps.push({ step, target, durationMs: Math.round(performance.now() - started) });
  };
  const primary = describePostgresUrl(deps.databaseUrl);
  await run('outbox', deps.databaseUrl, primary, () => migrateOutbox(deps.db));
  await run('consumer', deps.databaseUrl, primary, () => migrateConsumer(deps.db));
  await run('reval-primary', deps.databaseUrl, primary, () => migrateRevalPrimary(deps.db));
  await run(
    'reval-index',
    deps.indexDatabaseUrl,
    `${describePostgresUrl(deps.indexDatabaseUrl)} schema ${deps.indexSchema}`,
    () => migrateRevalIndex(deps.indexDb, deps.indexSchema),
  );
  return { steps };
}

/** `migrate` for people. */
export function renderMigrate(result: MigrateResult): string {
  return result.steps
    .map((step) => `migrated ${step.step.padEnd(13)} ${step.target} (${step.durationMs} ms)`)
    .join('\n');
}

/** `changeflow migrate`. */
export function registerMigrateCommand(program: Command, run: CommandRunner): void {
  program
    .command('migrate')
    .description('create or update the tables: outbox, reval primary (DATABASE_URL), reval index (INDEX_DATABASE_URL)')
    .action(
      run(async (context) => {
        const result = await migrate({
          db: await context.db(),
          databaseUrl: context.config.databaseUrl,
          indexDb: await context.indexDb(),
          indexDatabaseUrl: context.config.indexDatabaseUrl,
          indexSchema: context.config.indexSchema,
          onStep: (step) => context.output.note(`migrating ${step}…`),
        });
        context.output.result(result, renderMigrate);
        return EXIT_CODES.ok;
      }),
    );
}
