/**
 * The reval queries (REVAL.md "Queries"): the recommendation list and the four connection lists,
 * read from the index store, with the zod schemas that validate their query strings.
 */
export type { IndexDocumentRow } from './index-document.js';
export { DOCUMENT_COLUMNS, toMasterDocument } from './index-document.js';
export type { QueryParamIssue, QueryParamsResult, SortOrder } from './query-params.js';
export {
  InvalidQueryParamsError,
  MAX_LIST_VALUES,
  MAX_PAGE_NUMBER,
  MAX_TEXT_LENGTH,
  PAGE_SIZE,
  parseQueryParams,
} from './query-params.js';
export type {
  ConnectionIndex,
  ConnectionSearchParams,
  ConnectionSearchResult,
  ConnectionSortColumn,
  ResolvedConnectionSearchParams,
} from './search-connections.js';
export {
  CONNECTION_INDEXES,
  CONNECTION_SORT_COLUMNS,
  connectionIndexSchema,
  connectionSearchParamsSchema,
  countConnections,
  searchConnections,
  selectConnectionPage,
} from './search-connections.js';
export type {
  RecommendationSearchParams,
  RecommendationSearchResult,
  RecommendationSortColumn,
  ResolvedRecommendationSearchParams,
} from './search-recommendations.js';
export {
  countRecommendationScope,
  countRecommendations,
  GMC_STATUSES,
  RECOMMENDATION_SORT_COLUMNS,
  recommendationSearchParamsSchema,
  searchRecommendations,
  selectRecommendationPage,
  TIS_STATUSES,
} from './search-recommendations.js';
export { escapeLike } from './text-match.js';
