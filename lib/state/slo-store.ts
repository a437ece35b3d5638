import type { Redis } from 'ioredis';
import { SloListSchema, type Slo, type SloStateRecord, type SloTransition } from '@/lib/shared/slos';
import { stateKeys } from './keys';

/**
 * SLOs in the state Redis: the set admins edited (the config file's live in the config), the
 * current state of every SLO on every queue it covers, and a capped stream of state changes
 * that alerting in any process can follow.
 */

/** Transitions kept: days of flapping at one change per evaluation would still fit. */
const TRANSITIONS_MAXLEN = 10_000;

/** One SLO's evaluation on one queue, before `since` is known (the store keeps it across evaluations). */
export type SloReading = Omit<SloStateRecord, 'since'>;

/**
 * KEYS[1] states hash, KEYS[2] transitions stream; ARGV[1] now (ISO), ARGV[2] stream maxlen,
 * ARGV[3] n, ARGV[4..3+n] fields to delete, then pairs (field, reading JSON).
 * Keeps `since` while a state holds; a changed (or first non-ok) state starts a new `since`
 * and is appended to the stream, in the same script, so two evaluators racing (a lease with
 * no fencing token) still record each change once. Returns the transitions' JSON.
 */
const APPLY_LUA = `
local n = tonumber(ARGV[3])
for i = 4, 3 + n do redis.call('HDEL', KEYS[1], ARGV[i]) end
local out = {}
for i = 4 + n, #ARGV, 2 do
  local field = ARGV[i]
  local r = cjson.decode(ARGV[i + 1])
  local raw = redis.call('HGET', KEYS[1], field)
  local from = nil
  local since = ARGV[1]
  if raw then
    local cur = cjson.decode(raw)
    from = cur.state
    if cur.state == r.state then since = cur.since end
  end
  r.since = since
  redis.call('HSET', KEYS[1], field, cjson.encode(r))
  if from ~= r.state and not (from == nil and r.state == 'ok') then
    local t = cjson.encode({ sloId = r.sloId, broker = r.broker, queue = r.queue, from = from or cjson.null, to = r.state, at = ARGV[1],
      worstWaitSec = r.worstWaitSec, maxWaitSec = r.maxWaitSec, scope = r.scope, high = r.high })
    redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'data', t)
    out[#out + 1] = t
  end
end
return out
`;

export function sloStateField(sloId: string, broker: string, queue: string): string {
  return `${sloId}\n${broker}/${queue}`;
}

export class SloStore {
  private readonly keys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = stateKeys(prefix);
  }

  /** The SLOs admins edited; [] before the first edit. An entry no longer valid is dropped, not fatal. */
  async edited(): Promise<Slo[]> {
    const raw = await this.redis.get(this.keys.slos);
    if (!raw) return [];
    const parsed = SloListSchema.safeParse((JSON.parse(raw) as { slos?: unknown }).slos);
    return parsed.success ? parsed.data : [];
  }

  /** Replaces the edited set (validated by the caller). */
  async replaceEdited(slos: readonly Slo[], by: string, now = new Date()): Promise<void> {
    await this.redis.set(this.keys.slos, JSON.stringify({ slos, updatedAt: now.toISOString(), by }));
  }

  async states(): Promise<SloStateRecord[]> {
    const all = await this.redis.hgetall(this.keys.sloStates);
    return Object.values(all)
      .map((json) => JSON.parse(json) as SloStateRecord)
      .sort((a, b) => a.sloId.localeCompare(b.sloId) || a.broker.localeCompare(b.broker) || a.queue.localeCompare(b.queue));
  }

  /**
   * Records one evaluation: `readings` replace the states of the queues they name (keeping
   * `since` where the state did not change), `keep(field)` false drops a state no reading
   * renewed (an SLO removed, a queue gone). Returns the changes, oldest first.
   */
  async apply(readings: readonly SloReading[], keep: (state: SloStateRecord) => boolean, now = new Date()): Promise<SloTransition[]> {
    const renewed = new Set(readings.map((r) => sloStateField(r.sloId, r.broker, r.queue)));
    const stale = (await this.states()).filter((s) => !renewed.has(sloStateField(s.sloId, s.broker, s.queue)) && !keep(s));
    const args: string[] = [now.toISOString(), String(TRANSITIONS_MAXLEN), String(stale.length)];
    for (const s of stale) args.push(sloStateField(s.sloId, s.broker, s.queue));
    for (const r of readings) args.push(sloStateField(r.sloId, r.broker, r.queue), JSON.stringify(r));
    const out = (await this.redis.eval(APPLY_LUA, 2, this.keys.sloStates, this.keys.sloTransitions, ...args)) as string[];
    return out.map((json) => JSON.parse(json) as SloTransition);
  }

  /** Transitions after stream id `afterId` ('0' = the oldest kept), oldest first, with their ids as cursors. */
  async transitions(afterId = '0', count = 1000): Promise<(SloTransition & { id: string })[]> {
    const start = afterId === '0' ? '-' : `(${afterId}`;
    const entries = await this.redis.xrange(this.keys.sloTransitions, start, '+', 'COUNT', count);
    return entries.map(([id, fields]) => ({ ...(JSON.parse(fields[fields.indexOf('data') + 1] ?? '{}') as SloTransition), id }));
  }

  /** The newest transition's id ('0-0' when none): where a follower of new transitions starts. */
  async lastTransitionId(): Promise<string> {
    const last = await this.redis.xrevrange(this.keys.sloTransitions, '+', '-', 'COUNT', 1);
    return last[0]?.[0] ?? '0-0';
  }
}
