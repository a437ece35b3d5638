'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { UndoCounts } from '@/lib/shared/undo';
import { postJson } from './api';
import { queryKeys } from './query-keys';

const undoPath = (entryId: string) => `/api/v1/audit/${encodeURIComponent(entryId)}/undo`;

/** The dry run of undoing one audit entry: what an undo would put back now. Read once per opening of its dialog. */
export function useUndoPreview(entryId: string) {
  return useQuery({
    queryKey: [...queryKeys.all, 'undo-preview', entryId] as const,
    queryFn: ({ signal }) => postJson<UndoCounts>(undoPath(entryId), { dryRun: true }, signal),
    gcTime: 0,
    staleTime: Infinity,
    retry: false,
  });
}

/** Undoes one audit entry; the audit log (a new `undo` entry) and the queues change. */
export function useUndo(entryId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => postJson<UndoCounts>(undoPath(entryId), {}),
    onSettled: () => {
      void client.invalidateQueries({ queryKey: [...queryKeys.all, 'audit'] });
      void client.invalidateQueries({ queryKey: queryKeys.queues() });
    },
  });
}
