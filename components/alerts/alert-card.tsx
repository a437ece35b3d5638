import Link from 'next/link';
import type { Alert, AlertDelivery } from '@/lib/shared/alerts';
import { Timestamp } from '../time';

const SEVERITY_LOOK: Record<Alert['severity'], string> = {
  critical: 'bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-200',
  warning: 'bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200',
  info: 'bg-sky-100 text-sky-900 dark:bg-sky-950 dark:text-sky-200',
};

const KIND_LABEL: Record<Alert['kind'], string> = {
  slo: 'SLO',
  worker_stale: 'stale worker',
  broker_down: 'broker down',
  dlq_growing: 'dead letters growing',
};

const STATUS_LOOK: Record<AlertDelivery['status'], string> = {
  delivered: 'text-emerald-800 dark:text-emerald-300',
  pending: 'text-amber-800 dark:text-amber-300',
  failed: 'text-red-800 dark:text-red-300',
};

function DeliveryLine({ delivery, now }: { delivery: AlertDelivery; now: number }) {
  const attempts = `${delivery.attempts} ${delivery.attempts === 1 ? 'attempt' : 'attempts'}`;
  let status: string;
  if (delivery.status === 'delivered') status = `delivered (${attempts})`;
  else if (delivery.status === 'failed') status = `failed after ${attempts}`;
  else status = delivery.attempts === 0 ? 'sending' : `retrying (${attempts} so far)`;
  return (
    <li className="flex flex-wrap items-baseline gap-x-2 text-xs" data-testid="alert-delivery">
      <span className="font-medium">{delivery.event === 'firing' ? 'notification' : 'resolve'}</span>
      <span className="text-slate-500 dark:text-slate-400">→ {delivery.format} {delivery.url}</span>
      <span className={`font-semibold ${STATUS_LOOK[delivery.status]}`} data-testid="alert-delivery-status">{status}</span>
      {delivery.status === 'pending' && delivery.nextAttemptAt && delivery.attempts > 0 ? (
        <span className="text-slate-500 dark:text-slate-400">next <Timestamp at={delivery.nextAttemptAt} now={now} /></span>
      ) : null}
      {delivery.lastError && delivery.status !== 'delivered' ? <span className="break-all text-slate-600 dark:text-slate-400">{delivery.lastError}</span> : null}
    </li>
  );
}

export function AlertCard({ alert, now }: { alert: Alert; now: number }) {
  return (
    <li className="rounded-lg border border-slate-200 bg-white p-3 dark:border-slate-800 dark:bg-slate-900" data-testid="alert-card" data-key={alert.key}>
      <div className="flex flex-wrap items-center gap-2">
        <span className={`rounded px-1.5 py-0.5 text-xs font-semibold uppercase ${SEVERITY_LOOK[alert.severity]}`}>{alert.severity}</span>
        <span className="rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-700 dark:bg-slate-800 dark:text-slate-300">{KIND_LABEL[alert.kind]}</span>
        <p className="min-w-0 basis-full font-medium break-words sm:flex-1 sm:basis-auto">
          {alert.link ? <Link href={alert.link} className="hover:underline">{alert.summary}</Link> : alert.summary}
        </p>
      </div>
      <p className="mt-1 text-xs text-slate-600 dark:text-slate-400">
        since <Timestamp at={alert.startedAt} now={now} />
        {alert.resolvedAt ? <> · resolved <Timestamp at={alert.resolvedAt} now={now} /></> : null}
        {' · '}
        <code className="font-mono break-all">{alert.key}</code>
      </p>
      {alert.deliveries.length > 0 ? (
        <ul className="mt-2 space-y-0.5" aria-label="Webhook deliveries">
          {alert.deliveries.map((d) => (
            <DeliveryLine key={d.id} delivery={d} now={now} />
          ))}
        </ul>
      ) : (
        <p className="mt-2 text-xs text-slate-500 dark:text-slate-400">No webhook was configured when this changed: nothing was sent.</p>
      )}
    </li>
  );
}
