import type { Kysely } from 'kysely';
import type { RevalIndexDatabase } from '../store/schema.js';
import {
  type ConnectionIndex,
  type ConnectionSearchParams,
  type ConnectionSearchResult,
  searchConnections,
} from './search-connections.js';
import {
  type RecommendationSearchParams,
  type RecommendationSearchResult,
  searchRecommendations,
} from './search-recommendations.js';

/** The reval queries (REVAL.md "Queries") bound to one index store: its Kysely and its schema. */
export interface RevalQueries {
  /** The recommendation list: `GET /api/v1/doctors`. */
  searchRecommendations(params: RecommendationSearchParams): Promise<RecommendationSearchResult>;
  /** One of the four connection lists: `GET /api/connection/{index}`. */
  searchConnections(index: ConnectionIndex, params: ConnectionSearchParams): Promise<ConnectionSearchResult>;
}

/**
 * Binds the queries to the index store once, at the composition root, so callers pass only what
 * they ask for.
 *
 * @example
 * const queries = createRevalQueries(indexDb, config.indexSchema);
 * const page = await queries.searchRecommendations({ dbcs: '1-1RUZV1D', searchQuery: 'smi' });
 */
export function createRevalQueries(db: Kysely<RevalIndexDatabase>, schema: string): RevalQueries {
  return {
    searchRecommendations: (params) => searchRecommendations(db, schema, params),
    searchConnections: (index, params) => searchConnections(db, schema, index, params),
  };
}
