import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { TriageError } from '@/lib/shared/errors';
import type { Slo, SloStateRecord, SloTransition, SloView, SlosPayload } from '@/lib/shared/slos';
import { holdLeadership, type Leadership } from '@/lib/state/leader-lease';
import { auditedRequest } from './audit-trail';
import type { Actor } from './auth';
import { runtime, type Runtime } from './runtime';
import { getSampler } from './sampler';
import { SloEvaluator, type SloTransitionListener } from './slo-evaluator';

/**
 * SLOs as the server uses them: the definitions in force (config file + edited), the routes'
 * reads and the admins' replace, and the deployment's one evaluator (started by
 * instrumentation.ts in every replica; only the holder of the `slo` lease evaluates).
 */

/** The leader lease's loop name in the state Redis (`<prefix>leader:slo`). */
export const SLO_LOOP = 'slo';

const holder = globalThis as typeof globalThis & {
  __triageSloLoop?: { evaluator: SloEvaluator; leadership: Leadership; runtime: Runtime };
  __triageSloListeners?: Set<SloTransitionListener>;
};

function listeners(): Set<SloTransitionListener> {
  return (holder.__triageSloListeners ??= new Set());
}

/**
 * Calls `listener` with every SLO state change this process records (ok → at_risk →
 * breached → ok, and an SLO's first non-ok state). Only the leading replica records changes;
 * a consumer in another process follows `state.slos.transitions()` instead. Returns the
 * unsubscribe.
 */
export function onSloTransition(listener: SloTransitionListener): () => void {
  listeners().add(listener);
  return () => listeners().delete(listener);
}

export async function sloDefinitions(rt: Runtime = runtime()): Promise<SloView[]> {
  const edited = await rt.state.slos.edited();
  return [...rt.config.slos.map((s) => ({ ...s, source: 'config' as const })), ...edited.map((s) => ({ ...s, source: 'edited' as const }))];
}

/** Starts this process's contender for the SLO loop (idempotent per runtime). */
export async function startSloEvaluation(): Promise<SloEvaluator> {
  const rt = runtime();
  const current = holder.__triageSloLoop;
  if (current && current.runtime === rt) return current.evaluator;
  await stopSloEvaluation();
  const intervalMs = rt.config.sloIntervalSec * 1000;
  const lease = rt.state.leaderLease(SLO_LOOP, `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`, Math.max(3_000, intervalMs * 3));
  const leadership = holdLeadership(lease, { onError: (err) => rt.logger.warn({ err }, 'SLO leader lease failed') });
  const evaluator = new SloEvaluator({
    store: rt.state.slos,
    leadership,
    definitions: () => sloDefinitions(rt),
    snapshot: async (maxAgeMs) => (await getSampler()).snapshot(maxAgeMs),
    intervalMs,
    logger: rt.logger,
  });
  evaluator.onTransition((t: SloTransition) => {
    rt.logger.info({ slo: t.sloId, broker: t.broker, queue: t.queue, from: t.from, to: t.to, worstWaitSec: t.worstWaitSec }, 'SLO state changed');
    for (const listener of listeners()) listener(t);
  });
  evaluator.start();
  holder.__triageSloLoop = { evaluator, leadership, runtime: rt };
  return evaluator;
}

export async function stopSloEvaluation(): Promise<void> {
  const current = holder.__triageSloLoop;
  holder.__triageSloLoop = undefined;
  if (!current) return;
  current.evaluator.stop();
  await current.leadership.stop();
}

export async function listSlos(): Promise<SlosPayload> {
  const rt = runtime();
  const [slos, states] = await Promise.all([sloDefinitions(rt), rt.state.slos.states()]);
  return { slos, states };
}

export function sloStates(): Promise<SloStateRecord[]> {
  return runtime().state.slos.states();
}

/** Replaces the edited SLOs (admins): the config file's cannot be changed or shadowed here. */
export async function replaceSlos(actor: Actor | null, slos: readonly Slo[]): Promise<SlosPayload> {
  const rt = runtime();
  const configIds = new Set(rt.config.slos.map((s) => s.id));
  slos.forEach((slo, i) => {
    if (configIds.has(slo.id)) {
      throw new TriageError('INVALID', `SLO ${slo.id} comes from the config file and is read-only; give an edited SLO another id`, { path: ['slos', i, 'id'] });
    }
    if (!rt.brokers.has(slo.broker)) {
      throw new TriageError('INVALID', `SLO ${slo.id} names broker ${JSON.stringify(slo.broker)}; configured: ${[...rt.brokers.keys()].join(', ')}`, { path: ['slos', i, 'broker'] });
    }
  });
  await auditedRequest(
    actor,
    { action: 'slo.replace', target: {}, params: { slos: slos.map((s) => ({ id: s.id, broker: s.broker, queue: s.queue, scope: s.band ?? s.priorities, maxWaitSec: s.maxWaitSec })) } },
    () => rt.state.slos.replaceEdited(slos, actor?.name ?? 'system'),
    () => ({ count: slos.length }),
  );
  return listSlos();
}

/** The brokers an SLO may name, in configuration order (the SLO page's choices). */
export function configuredBrokerIds(): string[] {
  return runtime().config.brokers.map((b) => b.id);
}
