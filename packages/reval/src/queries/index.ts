/**
 * The reval queries (REVAL.md "Queries"): the recommendation list and the four connection lists,
 * read from the index store, with the zod schemas that validate their query strings.
 */
export type { DoctorInIndexes } from './doctor-document.js';
export type { IndexDocumentRow } from './index-document.js';
export { createIndexReader, DOCUMENT_SELECTION } from './index-document.js';
export { orderBySorts } from './paging.js';
export type { QueryParamIssue } from './query-params.js';
export {
  InvalidQueryParamsError,
  PAGE_SIZE,
  parseQueryParams,
} from './query-params.js';
export type {
  ConnectionIndex,
  ConnectionSearchParams,
  ConnectionSearchResult,
} from './search-connections.js';
export {
  CONNECTION_INDEXES,
  CONNECTION_SORT_COLUMNS,
  connectionFilter,
  connectionSearchParamsSchema,
  connectionSorts,
  countConnections,
  selectConnectionPage,
} from './search-connections.js';
export type { RecommendationSearchParams, RecommendationSearchResult } from './search-recommendations.js';
export {
  countRecommendations,
  RECOMMENDATION_SORT_COLUMNS,
  recommendationFilter,
  recommendationSearchParamsSchema,
  recommendationSorts,
  selectRecommendationPage,
} from './search-recommendations.js';
export { escapeLike } from './text-match.js';
