'use client';

import { useCallback } from 'react';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { HISTORY_RANGES, type HistoryRange } from '@/lib/client/queue-queries';
import type { BrowseFilters } from '@/lib/client/queue-selection';

/** The queue page's view state lives in the URL, so a copied link reopens the same view. */
export interface QueueUrlState extends BrowseFilters {
  range: HistoryRange;
  cursor: string;
}

export function useQueueUrl(): [QueueUrlState, (updates: Partial<QueueUrlState>, options?: { push?: boolean }) => void] {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const rangeParam = params.get('range');
  const state: QueueUrlState = {
    range: HISTORY_RANGES.includes(rangeParam as HistoryRange) ? (rangeParam as HistoryRange) : '1h',
    priority: params.get('priority') ?? '',
    task: params.get('task') ?? '',
    q: params.get('q') ?? '',
    id: params.get('id') ?? '',
    cursor: params.get('cursor') ?? '',
  };
  const update = useCallback(
    (updates: Partial<QueueUrlState>, options: { push?: boolean } = {}) => {
      const next = new URLSearchParams(params.toString());
      for (const [key, value] of Object.entries(updates)) {
        if (value) next.set(key, value);
        else next.delete(key);
      }
      const search = next.toString();
      const url = search ? `${pathname}?${search}` : pathname;
      if (options.push) router.push(url, { scroll: false });
      else router.replace(url, { scroll: false });
    },
    [params, pathname, router],
  );
  return [state, update];
}
