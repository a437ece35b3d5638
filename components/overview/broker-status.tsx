'use client';

import type { BrokerHealth } from '@/lib/shared/types';

/**
 * One card per broker. When down, the reason and the fix are on the card: that is what the
 * operator needs first. `stale`: Triage's server stopped answering, so the broker's state
 * now is unknown; the card says so rather than repeat its last "up".
 */
export function BrokerStatus({ broker, stale = false }: { broker: BrokerHealth; stale?: boolean }) {
  const up = broker.ok;
  return (
    <div
      data-testid={`broker-status-${broker.id}`}
      data-ok={up}
      data-stale={stale}
      className={`min-w-56 flex-1 rounded-lg border p-3 ${
        up
          ? 'border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900'
          : 'border-red-300 bg-red-50 dark:border-red-900 dark:bg-red-950/40'
      }`}
    >
      <div className="flex items-center gap-2">
        <span className="font-semibold">{broker.id}</span>
        {broker.kind !== broker.id ? <span className="text-xs text-slate-500 dark:text-slate-400">{broker.kind}</span> : null}
        <span
          data-testid={`broker-badge-${broker.id}`}
          title={stale ? `last known: ${up ? 'up' : 'down'}` : undefined}
          className={`ml-auto rounded px-2 py-0.5 text-xs font-bold uppercase tracking-wide ${
            stale
              ? 'bg-slate-200 text-slate-700 dark:bg-slate-700 dark:text-slate-200'
              : up
                ? 'bg-emerald-100 text-emerald-800 dark:bg-emerald-900/60 dark:text-emerald-300'
                : 'bg-red-600 text-white'
          }`}
        >
          {stale ? 'unknown' : up ? 'up' : 'down'}
        </span>
      </div>
      <div className="mt-1 text-sm text-slate-600 tabular-nums dark:text-slate-400">
        {broker.latencyMs === null ? 'latency —' : `${Math.round(broker.latencyMs)} ms`}
        {broker.version ? <span className="ml-2">v{broker.version}</span> : null}
      </div>
      {!up && broker.error ? <p className="mt-2 text-sm text-red-800 dark:text-red-300">{broker.error}</p> : null}
      {!up && broker.hint ? (
        <p className="mt-1 text-sm break-words text-slate-700 dark:text-slate-300">
          <span className="font-medium">Fix: </span>
          <code className="font-mono text-xs">{broker.hint}</code>
        </p>
      ) : null}
    </div>
  );
}

export function BrokerStatusSkeleton() {
  return (
    <div className="h-[4.5rem] min-w-56 flex-1 animate-pulse rounded-lg border border-slate-200 bg-slate-100 dark:border-slate-800 dark:bg-slate-900" />
  );
}
