'use client';

import { useAlerts } from '@/lib/client/alerts';
import { useMe } from '@/lib/client/me';
import { useNow } from '@/lib/client/use-now';
import type { Alert } from '@/lib/shared/alerts';
import { ErrorPanel } from '../state-panels';
import { AlertCard } from './alert-card';
import { WebhookSettings } from './webhook-settings';

function AlertSection({ title, alerts, empty, now, testId }: { title: string; alerts: Alert[]; empty: string; now: number; testId: string }) {
  return (
    <section aria-labelledby={`${testId}-title`} data-testid={testId}>
      <h2 id={`${testId}-title`} className="mb-2 text-base font-semibold">
        {title} <span className="text-sm font-normal text-slate-500 dark:text-slate-400">({alerts.length})</span>
      </h2>
      {alerts.length === 0 ? (
        <p className="rounded-lg border border-dashed border-slate-300 p-4 text-sm text-slate-600 dark:border-slate-700 dark:text-slate-400">{empty}</p>
      ) : (
        <ul className="space-y-2">
          {alerts.map((alert) => (
            <AlertCard key={alert.id} alert={alert} now={now} />
          ))}
        </ul>
      )}
    </section>
  );
}

/** Active and recently resolved alerts, each with where its notifications went; webhook settings below. */
export function AlertsView() {
  const alerts = useAlerts();
  const now = useNow();
  const { can } = useMe();
  return (
    <div className="space-y-6">
      {alerts.isPending ? (
        <div aria-busy aria-label="Loading alerts" className="h-24 animate-pulse rounded-lg bg-slate-200 dark:bg-slate-800" />
      ) : alerts.isError && !alerts.data ? (
        <ErrorPanel title="Cannot list alerts" message={`${alerts.error.message}. Retrying every few seconds.`} onRetry={() => void alerts.refetch()} />
      ) : (
        <>
          <AlertSection
            title="Active"
            testId="alerts-active"
            alerts={alerts.data.active}
            now={now}
            empty="Nothing is wrong right now: no SLO breached, no broker down, no stale worker, no dead-letter queue growing."
          />
          <AlertSection title="Recently resolved" testId="alerts-recent" alerts={alerts.data.recent} now={now} empty="No alert has been resolved yet." />
        </>
      )}
      {can('operator') ? <WebhookSettings canEdit={can('admin')} /> : null}
    </div>
  );
}
