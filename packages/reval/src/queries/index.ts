/**
 * The reval queries (REVAL.md "Queries"): the recommendation list and the four connection lists,
 * read from the index store, with the zod schemas that validate their query strings.
 */
export type { DoctorInIndexes } from './doctor-document.js';
export { findDoctorInIndexes } from './doctor-document.js';
export type { DocumentQueryDatabase, IndexDocumentRow } from './index-document.js';
export { DOCUMENT_COLUMNS, DOCUMENT_SELECTION, selectFromIndex, toMasterDocument } from './index-document.js';
export type { DocumentSort } from './paging.js';
export { listOrder, orderBySorts, selectDocumentPage } from './paging.js';
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
  connectionFilter,
  connectionIndexSchema,
  connectionSearchParamsSchema,
  connectionSorts,
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
  recommendationFilter,
  recommendationSearchParamsSchema,
  recommendationSorts,
  searchRecommendations,
  selectRecommendationPage,
  TIS_STATUSES,
} from './search-recommendations.js';
export { escapeLike } from './text-match.js';
