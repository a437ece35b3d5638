'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { NewRule, Rule, RulePreview } from '@/lib/shared/rules';
import { getJson, postJson, sendJson } from './api';
import { queryKeys } from './query-keys';

/** Standing rules: the list refreshes while shown, so `applied` counts move. */
const RULES_REFRESH_MS = 2000;

export function useRules() {
  return useQuery({
    queryKey: queryKeys.rules(),
    queryFn: ({ signal }) => getJson<{ rules: Rule[] }>('/api/v1/rules', signal),
    refetchInterval: RULES_REFRESH_MS,
  });
}

/** The dry run of a rule being made: how many wait now, how many arrive per minute. */
export function useRulePreview(body: Omit<NewRule, 'dryRun'> | null) {
  return useQuery({
    queryKey: queryKeys.rulePreview((body ?? {}) as Record<string, unknown>),
    queryFn: ({ signal }) => postJson<RulePreview>('/api/v1/rules', { ...body, dryRun: true }, signal),
    enabled: body !== null,
    staleTime: 0,
    gcTime: 0,
  });
}

export function useCreateRule() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: Omit<NewRule, 'dryRun'>) => postJson<{ rule: Rule }>('/api/v1/rules', body),
    onSettled: () => client.invalidateQueries({ queryKey: queryKeys.rules() }),
  });
}

export function useRuleCommand() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, command }: { id: string; command: 'pause' | 'resume' | 'delete' }) =>
      command === 'delete'
        ? sendJson<{ rule: Rule }>('DELETE', `/api/v1/rules/${encodeURIComponent(id)}`)
        : postJson<{ rule: Rule }>(`/api/v1/rules/${encodeURIComponent(id)}/pause`, { paused: command === 'pause' }),
    onSettled: () => client.invalidateQueries({ queryKey: queryKeys.rules() }),
  });
}
