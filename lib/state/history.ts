import type { Redis } from 'ioredis';
import { PRIORITIES } from '@/lib/shared/priority';
import type { ByPriority } from '@/lib/shared/types';
import { stateKeys } from './keys';

/**
 * Backlog history: depth per queue per priority, one sample per sampler interval (10 s),
 * kept at full resolution for at least `retentionSec` (24 h).
 *
 * Layout: one Redis list per queue (`history:<broker>/<queue>`), oldest first. Each element
 * is a *run* of identical consecutive samples, `<start sec>:<count>:<d0>,…,<d9>` with the
 * start time and depths in base 36 and zeros written as empty strings, e.g.
 * `tp0plk:42:,,,5,,,,,,` (42 samples of 5 messages at priority 3). Identical samples only
 * lengthen the last run, so an idle or steady queue costs one element (≈ 200 bytes) for the
 * whole day. The worst case, a queue whose depth changes every interval at every level, costs
 * 8,640 elements: measured ≈ 180 KB (one busy level) to ≈ 270 KB (four levels, 3–5 digit
 * depths) per queue, so ≈ 0.2–0.3 GB for 1,000 such queues; real deployments, where most
 * queues are idle or steady most of the time, use a fraction of that.
 *
 * A gap (sampler down, broker unreachable) starts a new run, so readers never invent
 * samples for time that was not observed.
 */

export const HISTORY_RANGES = { '15m': 15 * 60, '1h': 3600, '24h': 24 * 3600 } as const;
export type HistoryRange = keyof typeof HISTORY_RANGES;

/** Points per chart: 24 h at 10 s (8,640 samples) is averaged down to 180 s steps (480 points). */
export const MAX_POINTS = 500;

export interface HistoryPoint {
  /** Start of the step, ms since the epoch. */
  t: number;
  byPriority: ByPriority;
  depth: number;
}

export interface HistorySeries {
  range: HistoryRange;
  stepSec: number;
  points: HistoryPoint[];
}

export interface HistorySample {
  broker: string;
  queue: string;
  byPriority: ByPriority;
}

/**
 * history-append — appends one sample to a queue's history list, extending the last run when
 * the sample is identical and directly follows it, then drops runs that ended before the cutoff.
 *
 * KEYS[1] the queue's history list
 * ARGV[1] sample time, seconds (decimal)
 * ARGV[2] encoded depths "d0,…,d9" (base 36, zeros empty)
 * ARGV[3] sample interval, seconds
 * ARGV[4] cutoff, seconds: runs whose last sample is older are removed
 * ARGV[5] key TTL, seconds (a queue that disappears takes its history with it)
 * ARGV[6] sample time, base 36 (Lua 5.1 cannot format base 36)
 * ARGV[7] at most this many runs removed per call (bounds the script's run time)
 *
 * Returns 1 if stored, 0 if this interval (or a later one) was already stored: a second
 * writer for the same interval changes nothing.
 */
const APPEND_LUA = `
local key = KEYS[1]
local ts = tonumber(ARGV[1])
local step = tonumber(ARGV[3])
local last = redis.call('LINDEX', key, -1)
local extend = false
if last then
  local t36, n, v = string.match(last, '^([0-9a-z]+):(%d+):(.*)$')
  if t36 then
    n = tonumber(n)
    local lastTs = tonumber(t36, 36) + (n - 1) * step
    if ts <= lastTs then return 0 end
    if v == ARGV[2] and ts == lastTs + step then
      redis.call('LSET', key, -1, t36 .. ':' .. (n + 1) .. ':' .. v)
      extend = true
    end
  end
end
if not extend then redis.call('RPUSH', key, ARGV[6] .. ':1:' .. ARGV[2]) end
local cutoff = tonumber(ARGV[4])
for i = 1, tonumber(ARGV[7]) do
  local first = redis.call('LINDEX', key, 0)
  if not first then break end
  local t36, n = string.match(first, '^([0-9a-z]+):(%d+):')
  if t36 and tonumber(t36, 36) + (tonumber(n) - 1) * step >= cutoff then break end
  redis.call('LPOP', key)
end
redis.call('EXPIRE', key, ARGV[5])
return 1
`;

const COMMAND = 'triageHistoryAppend';
type AppendCommand = (key: string, ...args: (string | number)[]) => Promise<number>;

export function encodeDepths(byPriority: ByPriority): string {
  return PRIORITIES.map((p) => {
    const n = byPriority[String(p)] ?? 0;
    return n > 0 ? n.toString(36) : '';
  }).join(',');
}

interface Run {
  startSec: number;
  count: number;
  depths: number[];
}

function decodeRun(element: string): Run | null {
  const match = /^([0-9a-z]+):(\d+):(.*)$/.exec(element);
  if (!match) return null;
  const depths = match[3]!.split(',').map((d) => (d === '' ? 0 : Number.parseInt(d, 36)));
  if (depths.length !== PRIORITIES.length || depths.some((d) => !Number.isFinite(d))) return null;
  return { startSec: Number.parseInt(match[1]!, 36), count: Number(match[2]), depths };
}

export class HistoryStore {
  private readonly keys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    readonly intervalSec = 10,
    readonly retentionSec = 24 * 3600,
  ) {
    this.keys = stateKeys(prefix);
    if (!(COMMAND in redis)) redis.defineCommand(COMMAND, { numberOfKeys: 1, lua: APPEND_LUA });
  }

  /** Claims interval `slot` for `owner` (one replica writes each sample); false when another replica has it. */
  async claimSlot(slot: number, owner: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(this.keys.historyLock(slot), owner, 'PX', ttlMs, 'NX')) === 'OK';
  }

  /**
   * Stores one sample per queue for the interval starting at `atMs` (aligned down to the
   * interval), in one round trip. Returns how many were stored (0 for intervals already stored).
   */
  async append(atMs: number, samples: readonly HistorySample[]): Promise<number> {
    if (samples.length === 0) return 0;
    const ts = Math.floor(atMs / 1000 / this.intervalSec) * this.intervalSec;
    const cutoff = ts - this.retentionSec;
    // A little over the retention, so a list outlives a missed sample or two.
    const ttl = this.retentionSec + 3600;
    const pipeline = this.redis.pipeline();
    const append = (pipeline as unknown as Record<string, AppendCommand>)[COMMAND]!.bind(pipeline);
    for (const s of samples) {
      void append(this.keys.history(s.broker, s.queue), ts, encodeDepths(s.byPriority), this.intervalSec, cutoff, ttl, ts.toString(36), 100);
    }
    const results = (await pipeline.exec()) ?? [];
    let stored = 0;
    for (const [error, value] of results) {
      if (error) throw error;
      stored += Number(value);
    }
    return stored;
  }

  /** Raw runs, oldest first (tests and diagnostics). */
  async runs(broker: string, queue: string): Promise<Run[]> {
    const elements = await this.redis.lrange(this.keys.history(broker, queue), 0, -1);
    return elements.map(decodeRun).filter((r): r is Run => r !== null);
  }

  /**
   * The samples of the last `range` before `nowMs`, averaged into steps so a chart gets at
   * most MAX_POINTS points. Steps without any sample are left out (not reported as zero).
   * Averages are rounded per priority and `depth` is their sum, so a stacked chart adds up.
   */
  async read(broker: string, queue: string, range: HistoryRange, nowMs = Date.now()): Promise<HistorySeries> {
    const elements = await this.redis.lrange(this.keys.history(broker, queue), -this.runsFor(range), -1);
    return this.series(elements, range, nowMs);
  }

  /** `read` for many queues in one round trip (the overview's sparklines). */
  async readMany(refs: readonly { broker: string; queue: string }[], range: HistoryRange, nowMs = Date.now()): Promise<HistorySeries[]> {
    if (refs.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const { broker, queue } of refs) pipeline.lrange(this.keys.history(broker, queue), -this.runsFor(range), -1);
    const results = (await pipeline.exec()) ?? [];
    return results.map(([error, elements]) => {
      if (error) throw error;
      return this.series(elements as string[], range, nowMs);
    });
  }

  /** Every run holds at least one sample, so the last (range / interval + 2) runs cover the range. */
  private runsFor(range: HistoryRange): number {
    return Math.ceil(HISTORY_RANGES[range] / this.intervalSec) + 2;
  }

  private series(elements: readonly string[], range: HistoryRange, nowMs: number): HistorySeries {
    const rangeSec = HISTORY_RANGES[range];
    const stepSec = Math.max(this.intervalSec, Math.ceil(rangeSec / MAX_POINTS / this.intervalSec) * this.intervalSec);
    const nowSec = Math.floor(nowMs / 1000);
    const fromSec = nowSec - rangeSec;
    const buckets = new Map<number, { sums: number[]; n: number }>();
    for (const element of elements) {
      const run = decodeRun(element);
      if (!run) continue;
      const first = Math.max(0, Math.ceil((fromSec - run.startSec) / this.intervalSec));
      const last = Math.min(run.count - 1, Math.floor((nowSec - run.startSec) / this.intervalSec));
      // Walk step by step rather than sample by sample: a day-long idle run is one bucket per step.
      for (let i = first; i <= last; ) {
        const ts = run.startSec + i * this.intervalSec;
        const bucketStart = Math.floor(ts / stepSec) * stepSec;
        const inBucket = Math.min(last - i + 1, Math.floor((bucketStart + stepSec - ts - 1) / this.intervalSec) + 1);
        let bucket = buckets.get(bucketStart);
        if (!bucket) buckets.set(bucketStart, (bucket = { sums: new Array<number>(PRIORITIES.length).fill(0), n: 0 }));
        for (let p = 0; p < PRIORITIES.length; p++) bucket.sums[p]! += run.depths[p]! * inBucket;
        bucket.n += inBucket;
        i += inBucket;
      }
    }
    const points = [...buckets.entries()]
      .sort(([a], [b]) => a - b)
      .map(([start, { sums, n }]) => {
        const byPriority: ByPriority = {};
        let depth = 0;
        PRIORITIES.forEach((p, idx) => {
          const v = Math.round(sums[idx]! / n);
          byPriority[String(p)] = v;
          depth += v;
        });
        return { t: start * 1000, byPriority, depth };
      });
    return { range, stepSec, points };
  }
}
