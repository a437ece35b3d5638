'use client';

import { useCallback, useRef, useState } from 'react';
import type { Message } from '@/lib/shared/types';
import type { Match } from '@/lib/client/queue-selection';

interface SelectionState {
  /** The filter the selection belongs to: a new filter starts with nothing selected. */
  key: string;
  ids: ReadonlySet<string>;
  /** "Every message matching the filter" (count from a dry run), instead of ids. */
  matching: { match: Match | null; count: number } | null;
}

/**
 * Selected messages of the browser: ids (kept across pages of one filter, shift-click picks a
 * range), or every message matching the filter.
 */
export function useSelection(messages: readonly Message[], filterKey: string) {
  const [state, setState] = useState<SelectionState>({ key: filterKey, ids: new Set(), matching: null });
  const anchor = useRef<number | null>(null);
  const current: SelectionState = state.key === filterKey ? state : { key: filterKey, ids: new Set(), matching: null };

  const toggle = useCallback(
    (index: number, checked: boolean, shift: boolean) => {
      // Read the anchor now: React may run the updater later, after the anchor moved to `index`.
      const start = shift ? anchor.current : null;
      const from = start !== null ? Math.min(start, index) : index;
      const to = start !== null ? Math.max(start, index) : index;
      setState((prev) => {
        const base = prev.key === filterKey ? prev.ids : new Set<string>();
        const ids = new Set(base);
        for (const m of messages.slice(from, to + 1)) {
          if (checked) ids.add(m.id);
          else ids.delete(m.id);
        }
        return { key: filterKey, ids, matching: null };
      });
      anchor.current = index;
    },
    [messages, filterKey],
  );

  const togglePage = useCallback(
    (checked: boolean) => {
      setState((prev) => {
        const ids = new Set(prev.key === filterKey ? prev.ids : []);
        for (const m of messages) {
          if (checked) ids.add(m.id);
          else ids.delete(m.id);
        }
        return { key: filterKey, ids, matching: null };
      });
    },
    [messages, filterKey],
  );

  const selectMatching = useCallback((match: Match | null, count: number) => setState({ key: filterKey, ids: new Set(), matching: { match, count } }), [filterKey]);
  const clear = useCallback(() => setState({ key: filterKey, ids: new Set(), matching: null }), [filterKey]);

  return { ids: current.ids, matching: current.matching, toggle, togglePage, selectMatching, clear };
}
