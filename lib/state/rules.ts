import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { execOrThrow } from '@/lib/redis/multi';
import { ruleState, type Rule, type RuleDefinition } from '@/lib/shared/rules';
import { stateKeys } from './keys';

/** Ended rules (expired or deleted) stay listed this long after their end, then are dropped. */
const ENDED_KEPT_MS = 24 * 3600_000;

/**
 * Standing rules in the state Redis: definitions, per-rule counts, and each queue's arrival
 * cursor, so a rule loop that takes over from a dead leader resumes where it stopped.
 */
export class RuleStore {
  private readonly keys;

  constructor(private readonly redis: Redis, prefix: string) {
    this.keys = stateKeys(prefix);
  }

  /**
   * Saves a new rule with its start: the queue's arrival cursor when it was created (opaque,
   * not listed: it holds message bytes). Both in one step, so the loop never sees the rule
   * without it and every message that arrives after the rule was made is read.
   */
  async create(input: Omit<RuleDefinition, 'id' | 'createdAt'>, startCursor: string): Promise<RuleDefinition> {
    const rule: RuleDefinition = { id: randomUUID(), createdAt: new Date().toISOString(), ...input };
    await execOrThrow(this.redis.multi().hset(this.keys.rules, rule.id, JSON.stringify(rule)).hset(this.keys.ruleStarts, rule.id, startCursor));
    return rule;
  }

  /** Where the oldest of `ids` that has one started reading its queue (for a queue without a cursor yet). */
  async startCursor(ids: readonly string[]): Promise<string | null> {
    if (ids.length === 0) return null;
    const starts = await this.redis.hmget(this.keys.ruleStarts, ...ids);
    return starts.find((start): start is string => start !== null) ?? null;
  }

  async get(id: string, now = Date.now()): Promise<Rule | null> {
    const text = await this.redis.hget(this.keys.rules, id);
    if (text === null) return null;
    const [applied, last] = await Promise.all([this.redis.hget(this.keys.ruleApplied, id), this.redis.hget(this.keys.ruleLastApplied, id)]);
    return withCounts(JSON.parse(text) as RuleDefinition, applied, last, now);
  }

  /** Every rule not ended more than a day ago, oldest first (the order the loop tries them in). */
  async list(now = Date.now()): Promise<Rule[]> {
    const [defs, applied, last] = await Promise.all([
      this.redis.hgetall(this.keys.rules),
      this.redis.hgetall(this.keys.ruleApplied),
      this.redis.hgetall(this.keys.ruleLastApplied),
    ]);
    const rules: Rule[] = [];
    const stale: string[] = [];
    for (const [id, text] of Object.entries(defs)) {
      const rule = withCounts(JSON.parse(text) as RuleDefinition, applied[id] ?? null, last[id] ?? null, now);
      const endedAt = rule.deletedAt ? Date.parse(rule.deletedAt) : Date.parse(rule.expiresAt);
      if (rule.state !== 'active' && rule.state !== 'paused' && now - endedAt > ENDED_KEPT_MS) stale.push(id);
      else rules.push(rule);
    }
    if (stale.length > 0) await this.forget(stale);
    return rules.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  /** Sets or clears `pausedAt`; false when there is no such rule. */
  async setPaused(id: string, paused: boolean): Promise<boolean> {
    return this.update(id, (rule) => {
      if (paused) rule.pausedAt ??= new Date().toISOString();
      else delete rule.pausedAt;
    });
  }

  async markDeleted(id: string): Promise<boolean> {
    return this.update(id, (rule) => {
      rule.deletedAt ??= new Date().toISOString();
    });
  }

  /** Counts what a rule did (`count` messages at `at`). */
  async recordApplied(counts: ReadonlyMap<string, number>, at: number): Promise<void> {
    if (counts.size === 0) return;
    const pipeline = this.redis.pipeline();
    for (const [id, count] of counts) {
      pipeline.hincrby(this.keys.ruleApplied, id, count);
      pipeline.hset(this.keys.ruleLastApplied, id, String(at));
    }
    await execOrThrow(pipeline);
  }

  /** True only the first time it is called for `id`: the rule's end is audited once per deployment. */
  async claimEnd(id: string): Promise<boolean> {
    return (await this.redis.hsetnx(this.keys.ruleEnded, id, String(Date.now()))) === 1;
  }

  /** The archive a delete rule keeps its messages in, made once (`make`) and reused after a takeover. */
  async archiveFor(id: string, make: () => Promise<string>): Promise<string> {
    const existing = await this.redis.hget(this.keys.ruleArchives, id);
    if (existing) return existing;
    const made = await make();
    await this.redis.hsetnx(this.keys.ruleArchives, id, made);
    return (await this.redis.hget(this.keys.ruleArchives, id)) ?? made;
  }

  async cursor(ref: string): Promise<string | null> {
    return this.redis.hget(this.keys.ruleCursors, ref);
  }

  async saveCursor(ref: string, cursor: string): Promise<void> {
    await this.redis.hset(this.keys.ruleCursors, ref, cursor);
  }

  /** Queues no rule watches any more: their cursors go, so a later rule starts from its own "now". */
  async dropCursors(keep: ReadonlySet<string>): Promise<void> {
    const refs = await this.redis.hkeys(this.keys.ruleCursors);
    const gone = refs.filter((ref) => !keep.has(ref));
    if (gone.length > 0) await this.redis.hdel(this.keys.ruleCursors, ...gone);
  }

  private async update(id: string, change: (rule: RuleDefinition) => void): Promise<boolean> {
    const text = await this.redis.hget(this.keys.rules, id);
    if (text === null) return false;
    const rule = JSON.parse(text) as RuleDefinition;
    change(rule);
    await this.redis.hset(this.keys.rules, id, JSON.stringify(rule));
    return true;
  }

  private async forget(ids: string[]): Promise<void> {
    const pipeline = this.redis.pipeline();
    for (const key of [this.keys.rules, this.keys.ruleApplied, this.keys.ruleLastApplied, this.keys.ruleEnded, this.keys.ruleArchives, this.keys.ruleStarts]) pipeline.hdel(key, ...ids);
    await execOrThrow(pipeline);
  }
}

function withCounts(rule: RuleDefinition, applied: string | null, last: string | null, now: number): Rule {
  return { ...rule, applied: Number(applied ?? 0), lastAppliedAt: last ? new Date(Number(last)).toISOString() : null, state: ruleState(rule, now) };
}
