'use client';

import Link from 'next/link';
import { highBandBreaches, useSlos } from '@/lib/client/slos';
import { formatAge } from '@/lib/client/time-format';
import { useNow } from '@/lib/client/use-now';
import { queueHref } from '../queue/queue-href';
import { heldFor, scopeLabel } from './slo-text';

const SHOWN = 3;

/**
 * Site-wide, under the header, while any high-band (P0–2) SLO is breached: which queue, for
 * how long, the worst wait, and a link to the queue. Lower bands show on their rows only: a
 * slow P9 backlog is not an incident.
 */
export function SloBanner() {
  const { data } = useSlos();
  const now = useNow(1_000);
  const breaches = highBandBreaches(data);
  if (breaches.length === 0) return null;
  return (
    <div role="alert" data-testid="slo-banner" className="border-b border-red-800 bg-red-700 text-white">
      <div className="mx-auto max-w-7xl space-y-1 px-4 py-2 text-sm">
        {breaches.slice(0, SHOWN).map((b) => (
          <p key={`${b.sloId}\n${b.broker}/${b.queue}`} className="flex flex-wrap items-baseline gap-x-1.5">
            <span className="font-bold uppercase">SLO breached</span>
            <Link href={queueHref(b.broker, b.queue)} className="font-mono font-semibold underline underline-offset-2">
              {b.broker}/{b.queue}
            </Link>
            <span>
              {scopeLabel(b.scope)} waiting {b.worstWaitSec === null ? 'too long' : formatAge(b.worstWaitSec)} (max {formatAge(b.maxWaitSec)}), breached for{' '}
              {heldFor(b, now)}
            </span>
          </p>
        ))}
        {breaches.length > SHOWN ? (
          <p>
            and {breaches.length - SHOWN} more —{' '}
            <Link href="/slos" className="underline underline-offset-2">
              all SLOs
            </Link>
          </p>
        ) : null}
      </div>
    </div>
  );
}
