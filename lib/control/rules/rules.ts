import { TriageError } from '@/lib/shared/errors';
import { MAX_RULE_LIFETIME_MS, describeAction, type NewRule, type Rule, type RulePreview } from '@/lib/shared/rules';
import type { ControlContext } from '../context';
import { audited } from '../context';
import { previewRule } from './preview';

/**
 * Standing rules (docs/rules.md): made, paused and deleted here, applied by the rule loop
 * (rule-loop.ts). Operators only; every change is audited with the rule's counts so far.
 */

/** 201 `{rule}`, or with `dryRun` the preview `{matchingNow, matchingPerMin}` and nothing stored. */
export async function createRule(ctx: ControlContext, input: NewRule, now = Date.now()): Promise<{ rule: Rule } | RulePreview> {
  const broker = await ctx.broker(input.broker);
  // By capability: a kind that cannot read arriving messages in place cannot run a rule.
  if (!broker.control.capabilities.arrivals) {
    throw new TriageError('UNSUPPORTED', `broker ${input.broker} cannot read arriving messages without taking them from its consumers, so it cannot run standing rules (control capability "arrivals")`, { path: ['broker'] });
  }
  if (!(await broker.getQueue(input.queue))) throw new TriageError('NOT_FOUND', `queue ${JSON.stringify(input.queue)} not found on broker ${input.broker}`, { path: ['queue'] });
  const expiresAt = Date.parse(input.expiresAt);
  if (expiresAt <= now) throw new TriageError('INVALID', 'expiresAt is in the past: a rule needs a future expiry', { path: ['expiresAt'] });
  if (expiresAt - now > MAX_RULE_LIFETIME_MS) throw new TriageError('INVALID', 'expiresAt is more than 24 h away: a rule lives at most 24 h', { path: ['expiresAt'] });
  if ('moveTo' in input.action) {
    const to = input.action.moveTo;
    // Arrivals move inside the broker, atomically; across brokers they would need a copy.
    if (to.broker !== input.broker) throw new TriageError('UNPROCESSABLE', 'a rule moves arriving messages within their broker only: moveTo.broker must be the rule\'s broker', { path: ['action', 'moveTo', 'broker'] });
    if (to.queue === input.queue) throw new TriageError('CONFLICT', `a rule cannot move ${input.queue} onto itself`, { path: ['action', 'moveTo', 'queue'] });
    await broker.control.prepareTarget(to.queue);
  }
  if (input.dryRun) return previewRule(ctx, broker, input, now);
  const definition = {
    broker: input.broker,
    queue: input.queue,
    match: input.match,
    action: input.action,
    expiresAt: new Date(expiresAt).toISOString(),
    createdBy: ctx.actor.name,
    ...(input.note ? { note: input.note } : {}),
  };
  // "After it starts" means after now, not after the loop's first look at the queue.
  const startCursor = (await broker.control.readArrivals(input.queue, null, 0)).next(new Set());
  const rule = await audited(
    ctx,
    { action: 'rule.create', target: { broker: input.broker, queue: input.queue }, params: { match: input.match, action: describeAction(input.action), expiresAt: definition.expiresAt, ...(input.note ? { note: input.note } : {}) } },
    async () => ctx.state.rules.create(definition, startCursor),
    (made) => ({ ruleId: made.id }),
  );
  return { rule: (await ctx.state.rules.get(rule.id))! };
}

export async function listRules(ctx: Pick<ControlContext, 'state'>): Promise<{ rules: Rule[] }> {
  return { rules: await ctx.state.rules.list() };
}

async function existing(ctx: ControlContext, id: string): Promise<Rule> {
  const rule = await ctx.state.rules.get(id);
  if (!rule || rule.state === 'deleted') throw new TriageError('NOT_FOUND', `no rule ${JSON.stringify(id)}`);
  return rule;
}

/** Pauses (or with `paused: false` resumes) a rule; an expired one stays expired (409). */
export async function pauseRule(ctx: ControlContext, id: string, paused: boolean): Promise<{ rule: Rule }> {
  const rule = await existing(ctx, id);
  if (rule.state === 'expired') throw new TriageError('CONFLICT', `rule ${id} has expired; create a new one`);
  await audited(
    ctx,
    { action: paused ? 'rule.pause' : 'rule.resume', target: { broker: rule.broker, queue: rule.queue }, params: { ruleId: id } },
    () => ctx.state.rules.setPaused(id, paused),
    () => ({ applied: rule.applied }),
  );
  return { rule: (await ctx.state.rules.get(id))! };
}

export async function deleteRule(ctx: ControlContext, id: string): Promise<{ rule: Rule }> {
  const rule = await existing(ctx, id);
  await audited(
    ctx,
    { action: 'rule.delete', target: { broker: rule.broker, queue: rule.queue }, params: { ruleId: id } },
    () => ctx.state.rules.markDeleted(id),
    () => ({ applied: rule.applied }),
  );
  return { rule: (await ctx.state.rules.get(id))! };
}
