import type { Arrival, QueueBroker, TransferMessage } from '@/lib/brokers/types';
import { describeError } from '@/lib/shared/errors';
import { drainedQueueName } from '@/lib/shared/parking';
import { describeAction, ruleMatches, type Rule } from '@/lib/shared/rules';
import { holdLeadership, type Leadership } from '@/lib/state/leader-lease';
import type { TriageState } from '@/lib/state/triage-state';
import { audited } from '../context';

/** The lease's name in the state Redis: one rule loop per deployment. */
export const RULE_LOOP = 'rules';

export interface RuleLoopOptions {
  state: TriageState;
  broker(id: string): Promise<QueueBroker>;
  /** Who holds the lease, as operators see it (host and pid). */
  holderId: string;
  /** Between reads of a watched queue. 300 ms keeps arrivals ≤ 2 s late with room for the work. */
  tickMs?: number;
  /** The leader lease's ttl: a dead leader is replaced within it. */
  leaseTtlMs?: number;
  /** Most arrivals read per list and tick; the rest are read next tick. */
  readLimit?: number;
  logger?: { warn(obj: object, msg?: string): void; error(obj: object, msg?: string): void };
}

export interface RuleLoop {
  readonly leadership: Leadership;
  stop(): Promise<void>;
}

/**
 * Applies the active standing rules to the messages arriving in their queues, in the one
 * process of the deployment that holds the `rules` lease. Each tick, per watched queue: read
 * what arrived since the queue's cursor (the driver's `readArrivals`, which takes nothing),
 * give each message to the oldest rule that matches it, act through the driver's atomic or
 * archive-first primitives, then save the cursor. A leader that dies between acting and
 * saving leaves a cursor a little behind: the next leader reads those messages again and
 * finds them moved or already in place (nothing happens twice, nothing is lost).
 *
 * At 0 arrivals a watched queue costs one small script call per tick on its broker; with no
 * active rule the broker is not touched at all.
 */
export function startRuleLoop(options: RuleLoopOptions): RuleLoop {
  const tickMs = options.tickMs ?? 300;
  const readLimit = options.readLimit ?? 5000;
  const leadership = holdLeadership(options.state.leaderLease(RULE_LOOP, options.holderId, options.leaseTtlMs ?? 6000), {
    onError: (error) => options.logger?.warn({ err: describeError(error) }, 'rule loop lease'),
  });
  const ctx = { state: options.state, actor: { name: 'rule-loop', role: 'operator' }, ...(options.logger ? { logger: options.logger } : {}) };
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();

  const tick = async () => {
    if (!leadership.isLeader) return;
    const now = Date.now();
    const rules = await options.state.rules.list(now);
    await auditEnds(ctx, rules);
    const byQueue = new Map<string, Rule[]>();
    for (const rule of rules) {
      if (rule.state !== 'active') continue;
      const ref = `${rule.broker}/${rule.queue}`;
      byQueue.set(ref, [...(byQueue.get(ref) ?? []), rule]);
    }
    await options.state.rules.dropCursors(new Set(byQueue.keys()));
    for (const [ref, queueRules] of byQueue) {
      if (!leadership.isLeader || stopped) return;
      try {
        await applyRules(options, ref, queueRules, readLimit);
      } catch (error) {
        options.logger?.warn({ err: describeError(error), queue: ref }, 'rule loop: queue skipped this tick');
      }
    }
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick()
        .catch((error: unknown) => options.logger?.error({ err: describeError(error) }, 'rule loop tick failed'))
        .finally(schedule);
    }, tickMs);
  };
  schedule();

  return {
    leadership,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      await leadership.stop();
    },
  };
}

async function applyRules(options: RuleLoopOptions, ref: string, rules: Rule[], readLimit: number): Promise<void> {
  const { broker: brokerId, queue } = rules[0]!;
  const broker = await options.broker(brokerId);
  if (!broker.control.capabilities.arrivals) return;
  const store = options.state.rules;
  // A queue the loop has not read yet starts where its oldest rule was made.
  const cursor = (await store.cursor(ref)) ?? (await store.startCursor(rules.map((r) => r.id)));
  const read = await broker.control.readArrivals(queue, cursor, readLimit);
  const taken = new Map<Rule, Arrival[]>();
  for (const arrival of read.arrivals) {
    const rule = rules.find((r) => ruleMatches(r.match, arrival));
    if (rule) taken.set(rule, [...(taken.get(rule) ?? []), arrival]);
  }
  const leaving = new Set<Arrival>();
  const applied = new Map<string, number>();
  for (const [rule, arrivals] of taken) {
    const { moved, left } = await act(options, broker, rule, arrivals);
    for (const arrival of left) leaving.add(arrival);
    if (moved > 0) applied.set(rule.id, moved);
  }
  await store.saveCursor(ref, read.next(leaving));
  await store.recordApplied(applied, Date.now());
}

async function act(options: RuleLoopOptions, broker: QueueBroker, rule: Rule, arrivals: Arrival[]): Promise<{ moved: number; left: Arrival[] }> {
  const { action, queue } = rule;
  if ('priority' in action) return broker.control.relocateArrivals(queue, arrivals, { queue, priority: action.priority });
  if ('moveTo' in action) return broker.control.relocateArrivals(queue, arrivals, { queue: action.moveTo.queue, priority: null });
  if ('park' in action) {
    const parking = drainedQueueName(queue);
    await broker.control.prepareTarget(parking, { create: true, like: queue });
    return broker.control.relocateArrivals(queue, arrivals, { queue: parking, priority: null });
  }
  const archives = options.state.archives;
  const archiveId = await options.state.rules.archiveFor(rule.id, async () => (await archives.create({ broker: rule.broker, queue, by: `rule ${rule.id}` })).id);
  const moved = await broker.control.removeArrivals(queue, arrivals, {
    write: (batch: readonly TransferMessage[]) => archives.append(archiveId, batch),
    unwritten: (batch: readonly TransferMessage[]) => archives.drop(archiveId, batch),
  });
  return { moved, left: arrivals };
}

/** An expired rule's end goes in the audit log once, with what it did. */
async function auditEnds(ctx: Parameters<typeof audited>[0], rules: Rule[]): Promise<void> {
  for (const rule of rules) {
    if (rule.state !== 'expired' || !(await ctx.state.rules.claimEnd(rule.id))) continue;
    await audited(
      ctx,
      { action: 'rule.expire', target: { broker: rule.broker, queue: rule.queue }, params: { ruleId: rule.id, action: describeAction(rule.action) } },
      async () => rule,
      (r) => ({ applied: r.applied, lastAppliedAt: r.lastAppliedAt }),
    );
  }
}
