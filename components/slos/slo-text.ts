import { formatAge } from '@/lib/client/time-format';
import type { SloStateName, SloStateRecord } from '@/lib/shared/slos';

/** Words and colors of SLO states, shared by the badge, the queue page, the banner and the SLO page. */

export const STATE_LABEL: Record<SloStateName, string> = { ok: 'ok', at_risk: 'at risk', breached: 'breached' };

export const STATE_CHIP: Record<SloStateName, string> = {
  ok: 'bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-300',
  at_risk: 'bg-amber-400 text-black',
  breached: 'bg-red-700 text-white',
};

/** "high" → "P0–2"; "P0,1" stays as it is. */
export function scopeLabel(scope: string): string {
  return { high: 'P0–2', medium: 'P3–5', low: 'P6–9' }[scope] ?? scope;
}

/** How long the state has held, from `since`. */
export function heldFor(state: Pick<SloStateRecord, 'since'>, now: number): string {
  return formatAge(Math.max(0, (now - Date.parse(state.since)) / 1000));
}

/** One line per state: what it covers, its state and since when, the worst wait against the maximum. */
export function describeState(state: SloStateRecord, now: number): string {
  const worst = state.worstWaitSec === null ? 'nothing waiting' : `worst wait ${formatAge(state.worstWaitSec)}`;
  return `${state.sloId}: ${scopeLabel(state.scope)} within ${formatAge(state.maxWaitSec)} — ${STATE_LABEL[state.state]} for ${heldFor(state, now)}, ${worst}`;
}
