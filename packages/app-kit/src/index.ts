/**
 * What every Changeflow process does, in one place: read its configuration from the environment
 * (each variable declared once, the READMEs' tables generated from the declarations), open Postgres
 * with the connection listener, and stop on SIGTERM/SIGINT within a deadline.
 *
 * @example
 * const vars = readConfig({ DATABASE_URL: {}, LOG_LEVEL: {} }, process.env, { app: 'my-app', readme: 'README.md' });
 * const logger = pino({ level: vars.LOG_LEVEL });
 * const database = await openDatabase(vars.DATABASE_URL, { variable: 'DATABASE_URL', logger, poolSize: 10 });
 * stopOnSignals({ logger, draining: 'in-flight work', stop: () => database.close() });
 */
export { configTable } from './config/config-table.js';
export type { ConfigValues, ReadConfigOptions, VariableUse, VariableUses } from './config/read-config.js';
export { ENV_FILE_VARIABLE, readConfig } from './config/read-config.js';
export { AWS_VARIABLES, awsOptionsOf, postgresTimeoutsOf } from './config/variable-groups.js';
export type { VariableDeclaration, VariableName } from './config/variables.js';
export { MAX_BULK_BATCH_SIZE, MIN_TOKEN_LENGTH, VARIABLES } from './config/variables.js';
export type { Database, OpenDatabaseOptions, PostgresTimeouts } from './open-database.js';
export { openDatabase, openIndexDatabase, PostgresUnreachableError } from './open-database.js';
export type { StopOnSignalsOptions } from './stop-on-signals.js';
export { EXIT_INTERRUPTED, stopOnSignals } from './stop-on-signals.js';
