/**
 * @changeflow/migrator — runs one package's Kysely migrations in the connection's current schema,
 * with a bookkeeping table of the package's own. Every Changeflow package with tables migrates
 * through it; a service can run its own set the same way.
 *
 * @example
 * await runMigrations(db, { migrations: { '0001-orders': createOrders }, tableName: 'orders_migration', what: 'orders' });
 */
export type { MigrationSet } from './run-migrations.js';
export { runMigrations } from './run-migrations.js';
