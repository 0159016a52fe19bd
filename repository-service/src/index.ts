/**
 * @changeflow/repository-service — the reval write service over HTTP (DESIGN.md §1, left-hand side):
 * writes and NDJSON imports that record their changes through the outbox, and the reval index
 * queries. `main.ts` runs it; tests and embedders build it from here.
 *
 * @example
 * const service = await startRepositoryService(loadConfig());
 * await service.stop();
 */
export type { RepositoryService, RepositoryServiceDependencies } from './app.js';
export { buildApp, startRepositoryService } from './app.js';
export type { RepositoryServiceConfig } from './config.js';
export { loadConfig, REPOSITORY_SERVICE_VARIABLES } from './config.js';
export { HttpError, RequestValidationError } from './http-errors.js';
export { MAX_RECORD_BYTES, NDJSON } from './import-routes.js';
export { MAX_REPORTED_LINE_ERRORS } from './ndjson-import.js';
export type { AccessScope, BulkImportResult, ErrorResponse, FieldIssue, WriteResult } from './schemas.js';
