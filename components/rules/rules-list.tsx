'use client';

import Link from 'next/link';
import { useRuleCommand, useRules } from '@/lib/client/rules';
import { useNow } from '@/lib/client/use-now';
import { describeAction, type Rule, type RuleMatch, type RuleState } from '@/lib/shared/rules';
import { formatCount } from '../format';
import { RoleGate } from '../role-gate';
import { EmptyPanel, ErrorPanel } from '../state-panels';
import { TimeAgo, Timestamp } from '../time';
import { Button } from '../ui/button';

const STATE_LOOK: Record<RuleState, string> = {
  active: 'bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200',
  paused: 'bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200',
  expired: 'bg-slate-200 text-slate-700 dark:bg-slate-800 dark:text-slate-300',
  deleted: 'bg-slate-200 text-slate-500 line-through dark:bg-slate-800 dark:text-slate-400',
};

function matchText(match: RuleMatch): string {
  const parts = [match.task ? `task ~ ${match.task}` : null, match.text ? `text ~ “${match.text}”` : null, match.priorities ? match.priorities.map((p) => `P${p}`).join(',') : null];
  return parts.filter(Boolean).join(' · ') || 'every task';
}

function RuleRow({ rule, now }: { rule: Rule; now: number }) {
  const command = useRuleCommand();
  const live = rule.state === 'active' || rule.state === 'paused';
  return (
    <li data-testid="rule-row" data-state={rule.state} className="rounded-lg border border-slate-200 bg-white p-3 dark:border-slate-800 dark:bg-slate-900">
      <div className="flex flex-wrap items-center gap-2">
        <span data-testid="rule-state" className={`rounded px-2 py-0.5 text-xs font-semibold ${STATE_LOOK[rule.state]}`}>
          {rule.state}
        </span>
        <Link href={`/queues/${encodeURIComponent(rule.broker)}/${encodeURIComponent(rule.queue)}`} className="font-mono text-sm break-all text-sky-700 hover:underline dark:text-sky-400">
          {rule.broker}/{rule.queue}
        </Link>
        <span className="text-sm">
          {matchText(rule.match)} → <strong>{describeAction(rule.action)}</strong>
        </span>
        <RoleGate role="operator">
          {live ? (
            <span className="ml-auto flex gap-2">
              <Button size="sm" disabled={command.isPending} onClick={() => command.mutate({ id: rule.id, command: rule.state === 'paused' ? 'resume' : 'pause' })}>
                {rule.state === 'paused' ? 'Resume' : 'Pause'}
              </Button>
              <Button size="sm" variant="dangerOutline" disabled={command.isPending} onClick={() => command.mutate({ id: rule.id, command: 'delete' })}>
                Delete
              </Button>
            </span>
          ) : null}
        </RoleGate>
      </div>
      <p className="mt-1 flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-600 dark:text-slate-400">
        <span data-testid="rule-applied">
          applied to {formatCount(rule.applied)}
          {rule.lastAppliedAt ? (
            <>
              , last <TimeAgo at={rule.lastAppliedAt} now={now} />
            </>
          ) : null}
        </span>
        <span>
          {rule.state === 'expired' ? 'expired' : 'expires'} <Timestamp at={rule.expiresAt} now={now} relative="beside" />
        </span>
        <span>by {rule.createdBy}</span>
        {rule.note ? <span className="italic">“{rule.note}”</span> : null}
      </p>
      {command.isError ? (
        <p role="alert" className="mt-1 text-sm text-red-800 dark:text-red-300">
          {command.error.message}
        </p>
      ) : null}
    </li>
  );
}

/** Standing rules: active and paused ones first, then those that ended in the last day. */
export function RulesList() {
  const rules = useRules();
  const now = useNow(1000);
  if (rules.error && !rules.data) return <ErrorPanel title="Cannot load the rules" message={rules.error.message} onRetry={() => void rules.refetch()} />;
  if (!rules.data) return <p className="text-slate-500">Loading…</p>;
  const order: RuleState[] = ['active', 'paused', 'expired', 'deleted'];
  const sorted = [...rules.data.rules].sort((a, b) => order.indexOf(a.state) - order.indexOf(b.state) || b.createdAt.localeCompare(a.createdAt));
  if (sorted.length === 0) {
    return (
      <EmptyPanel>
        No standing rules. To make one, open a queue, filter its messages, and press “Apply to arriving tasks too…”.
      </EmptyPanel>
    );
  }
  return (
    <ul className="space-y-2" aria-label="Standing rules">
      {sorted.map((rule) => (
        <RuleRow key={rule.id} rule={rule} now={now} />
      ))}
    </ul>
  );
}
