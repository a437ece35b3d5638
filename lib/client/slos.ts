'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Slo, SloStateRecord, SlosPayload } from '@/lib/shared/slos';
import { getJson, sendJson } from './api';
import { queryKeys } from './query-keys';

/** The server judges SLOs every few seconds; every view of them shares this one poll. */
const SLO_POLL_MS = 5_000;

export function useSlos() {
  return useQuery({
    queryKey: queryKeys.slos(),
    queryFn: ({ signal }) => getJson<SlosPayload>('/api/v1/slos', signal),
    refetchInterval: SLO_POLL_MS,
  });
}

/** Replaces the admin-edited SLOs (`PUT /api/v1/slos`); the answer is the new listing. */
export function useReplaceSlos() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (slos: Slo[]) => sendJson<SlosPayload>('PUT', '/api/v1/slos', { slos }),
    onSuccess: (data) => client.setQueryData(queryKeys.slos(), data),
  });
}

/** The states of every SLO covering one queue, worst first. */
export function queueSloStates(data: SlosPayload | undefined, broker: string, queue: string): SloStateRecord[] {
  const order = { breached: 0, at_risk: 1, ok: 2 } as const;
  return (data?.states ?? []).filter((s) => s.broker === broker && s.queue === queue).sort((a, b) => order[a.state] - order[b.state]);
}

/** High-band SLOs breached now, longest first: what the site-wide banner names. */
export function highBandBreaches(data: SlosPayload | undefined): SloStateRecord[] {
  // Newest breach first: during an incident the banner's news is what just broke; the ones
  // breached for long are on the SLO page ("and N more").
  return (data?.states ?? []).filter((s) => s.high && s.state === 'breached').sort((a, b) => Date.parse(b.since) - Date.parse(a.since));
}
