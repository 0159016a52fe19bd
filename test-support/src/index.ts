export { testAwsClients, uniquePrefix } from './aws.js';
export type { TestDatabase } from './database.js';
export { useTestDatabase, withSearchPath } from './database.js';
export { TEST_DATABASE_URL } from './test-env.js';
export type { WaitForOptions } from './wait-for.js';
export { waitFor } from './wait-for.js';
