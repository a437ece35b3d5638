'use client';

import { useState } from 'react';
import type { BrowseFilters } from '@/lib/client/queue-selection';
import type { Queue } from '@/lib/shared/types';
import { RoleGate } from '../role-gate';
import { Button } from '../ui/button';
import { RuleDialog } from './rule-dialog';

/** Beside the filter: turn the applied filter into a standing rule for arriving tasks (operators). */
export function RuleFromFilter({ queue, filters }: { queue: Queue; filters: BrowseFilters }) {
  const [open, setOpen] = useState(false);
  const filtering = Boolean(filters.priority || filters.task || filters.q || filters.id);
  const why = !queue.capabilities.standingRules
    ? 'This broker cannot read arriving tasks without taking them from its workers, so it cannot run standing rules.'
    : !filtering
      ? 'Apply a filter first: the rule acts on the arriving tasks it matches.'
      : undefined;
  return (
    <RoleGate role="operator">
      <div className="flex flex-wrap items-center gap-2" data-testid="rule-from-filter">
        <Button size="sm" disabled={Boolean(why)} title={why} onClick={() => setOpen(true)}>
          Apply to arriving tasks too…
        </Button>
        {why ? <span className="text-xs text-slate-500 dark:text-slate-400">{why}</span> : null}
      </div>
      {open ? <RuleDialog queue={queue} filters={filters} onClose={() => setOpen(false)} /> : null}
    </RoleGate>
  );
}
