'use client';

import { useQuery } from '@tanstack/react-query';
import { MIN_SEARCH_PREFIX, type SearchResult } from '@/lib/shared/search';
import { getJson } from './api';
import { queryKeys } from './query-keys';

/** `GET /api/v1/search`: task records and waiting messages whose id starts with `q`. Not asked for a query too short to be valid. */
export function useSearch(q: string) {
  const query = q.trim();
  return useQuery({
    queryKey: [...queryKeys.task(query), 'search'] as const,
    queryFn: ({ signal }) => getJson<SearchResult>(`/api/v1/search?q=${encodeURIComponent(query)}`, signal),
    enabled: query.length >= MIN_SEARCH_PREFIX,
    // A search reads queues (RabbitMQ: fetch and requeue): once per query, not on every focus.
    staleTime: 30_000,
    refetchOnWindowFocus: false,
  });
}
