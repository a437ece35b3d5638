'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { AlertList, AlertsConfigInput, AlertsConfigView, WebhookTestResult } from '@/lib/shared/alerts';
import { getJson, postJson, sendJson } from './api';
import { LIVE_REFRESH_MS } from './queries';
import { queryKeys } from './query-keys';

/** Active and recent alerts with their deliveries (the state Redis: cheap to poll at the live pace). */
export function useAlerts() {
  return useQuery({
    queryKey: queryKeys.alerts(),
    queryFn: ({ signal }) => getJson<AlertList>('/api/v1/alerts', signal),
    refetchInterval: LIVE_REFRESH_MS,
  });
}

/** Admin only: the webhooks, with whether each has a secret. */
export function useAlertsConfig(enabled: boolean) {
  return useQuery({
    queryKey: queryKeys.alertsConfig(),
    queryFn: ({ signal }) => getJson<AlertsConfigView>('/api/v1/alerts/config', signal),
    enabled,
  });
}

export function useSaveAlertsConfig() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (config: AlertsConfigInput) => sendJson<AlertsConfigView>('PUT', '/api/v1/alerts/config', config),
    onSuccess: (saved) => client.setQueryData(queryKeys.alertsConfig(), saved),
  });
}

export function useTestWebhooks() {
  return useMutation({
    mutationFn: () => postJson<{ results: WebhookTestResult[] }>('/api/v1/alerts/test', {}),
  });
}
