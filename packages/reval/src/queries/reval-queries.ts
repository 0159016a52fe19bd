import type { Kysely } from 'kysely';
import type { RevalIndexDatabase } from '../store/schema.js';
import { type DoctorInIndexes, findDoctorInIndexes } from './doctor-document.js';
import { createIndexReader } from './index-document.js';
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
  /** One doctor's document in every index it is in: the console's doctor page. */
  findDoctorInIndexes(gmcReferenceNumber: string): Promise<DoctorInIndexes>;
}

/**
 * Binds the queries to the index store once, at the composition root (one {@link createIndexReader}
 * that every query builder reads through), so callers pass only what they ask for.
 *
 * @example
 * const queries = createRevalQueries(indexDb, config.indexSchema);
 * const page = await queries.searchRecommendations({ dbcs: '1-1RUZV1D', searchQuery: 'smi' });
 */
export function createRevalQueries(db: Kysely<RevalIndexDatabase>, schema: string): RevalQueries {
  const reader = createIndexReader(db, schema);
  return {
    searchRecommendations: (params) => searchRecommendations(reader, params),
    searchConnections: (index, params) => searchConnections(reader, index, params),
    findDoctorInIndexes: (gmcReferenceNumber) => findDoctorInIndexes(reader, gmcReferenceNumber),
  };
}
