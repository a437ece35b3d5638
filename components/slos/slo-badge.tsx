'use client';

import Link from 'next/link';
import { queueSloStates, useSlos } from '@/lib/client/slos';
import { formatAge } from '@/lib/client/time-format';
import { useNow } from '@/lib/client/use-now';
import { STATE_CHIP, STATE_LABEL, describeState, heldFor, scopeLabel } from './slo-text';

/** The worst SLO state of one queue as a chip (overview row); every SLO of the queue in its tooltip. Nothing when no SLO covers it. */
export function SloBadge({ broker, queue }: { broker: string; queue: string }) {
  const { data } = useSlos();
  const now = useNow(5_000);
  const states = queueSloStates(data, broker, queue);
  const worst = states[0];
  if (!worst) return null;
  return (
    <span
      data-testid={`slo-badge-${broker}-${queue}`}
      data-state={worst.state}
      title={states.map((s) => describeState(s, now)).join('\n')}
      className={`rounded px-1.5 py-0.5 text-xs font-semibold ${STATE_CHIP[worst.state]}`}
    >
      SLO {worst.state === 'ok' ? 'ok' : `${scopeLabel(worst.scope)} ${STATE_LABEL[worst.state]}`}
    </span>
  );
}

/** The queue page's SLOs: each one's state, since when, and worst wait against its maximum. */
export function QueueSlos({ broker, queue }: { broker: string; queue: string }) {
  const { data } = useSlos();
  const now = useNow(1_000);
  const states = queueSloStates(data, broker, queue);
  if (states.length === 0) return null;
  return (
    <div data-testid="queue-slos">
      <h3 className="text-xs font-semibold tracking-wide text-slate-500 uppercase dark:text-slate-400">
        Wait SLOs{' '}
        <Link href="/slos" className="font-normal normal-case text-sky-800 underline-offset-2 hover:underline dark:text-sky-300">
          (edit)
        </Link>
      </h3>
      <ul className="mt-1 flex flex-wrap gap-2 text-sm">
        {states.map((s) => (
          <li
            key={s.sloId}
            data-testid={`queue-slo-${s.sloId}`}
            data-state={s.state}
            className="flex items-center gap-2 rounded-md border border-slate-200 px-2 py-1 tabular-nums dark:border-slate-700"
            title={s.sloId}
          >
            <span className={`rounded px-1.5 py-0.5 text-xs font-semibold ${STATE_CHIP[s.state]}`}>{STATE_LABEL[s.state]}</span>
            <span>
              {scopeLabel(s.scope)} within {formatAge(s.maxWaitSec)}
            </span>
            <span className="text-slate-500 dark:text-slate-400">
              worst {s.worstWaitSec === null ? 'none' : formatAge(s.worstWaitSec)} · for {heldFor(s, now)}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
