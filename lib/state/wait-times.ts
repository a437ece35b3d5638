import type { ChainableCommander, Redis } from 'ioredis';
import { execOrThrow } from '@/lib/redis/multi';
import { addHistogram, emptyHistogram, WAIT_BUCKET_COUNT, WAIT_WINDOW_MIN, waitBucket, type WaitHistogram } from '@/lib/shared/wait-times';
import { queueRef, stateKeys } from './keys';

/**
 * Task wait times (enqueued → started), recorded once per start by whoever saw it (Triage's
 * worker, Celery event ingestion), kept bounded:
 *
 * - per broker and minute, a hash `<queue>\n<priority>\n<bucket>` → count, expiring after
 *   the window (plus slack): the last 15 minutes are 15 small hashes, read for every queue of
 *   a broker at once, so the overview costs 15 HGETALLs per broker whatever the queue count;
 * - per broker, the same counts since the key was made plus `<queue>\n<priority>\nsum`
 *   (seconds): the cumulative Prometheus histogram. It expires a week after its last write.
 *
 * Queue names have no control characters (lib/shared/names.ts), so `\n` separates fields.
 * A task whose priority is unknown (a Celery task known only from its events) is counted
 * under the priority field `unknown`, so its wait is seen without being guessed into a level.
 */
const UNKNOWN = 'unknown';
const MINUTE_TTL_SEC = (WAIT_WINDOW_MIN + 5) * 60;
const TOTALS_TTL_SEC = 7 * 24 * 3600;

export interface WaitSample {
  broker: string;
  queue: string;
  /** The task's own priority (0–9); null when nobody could tell it. */
  priority: number | null;
  waitSec: number;
  /** When it started, ms since the epoch: the minute it is counted in. */
  startedAtMs: number;
}

/** Histograms per priority (null = unknown), per queue ref (`<broker>/<queue>`). */
export type QueueWaitHistograms = Map<string, Map<number | null, WaitHistogram>>;

/** One minute of the window: the waits of tasks that started in it. */
export interface WaitMinute {
  /** The minute's start, ms since the epoch. */
  startMs: number;
  byQueue: QueueWaitHistograms;
}

export interface WaitTotal {
  broker: string;
  queue: string;
  /** null = unknown. */
  priority: number | null;
  /** Counts per bucket, not cumulative. */
  buckets: WaitHistogram;
  sumSec: number;
}

export class WaitTimeStore {
  private readonly keys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = stateKeys(prefix);
  }

  /**
   * Queues the writes of `samples` on `pipeline` (the worker's recorder batches them with
   * its task records); returns how many commands that took. Samples sharing a field are
   * summed first, so a busy flush costs a few HINCRBYs, not one per task.
   */
  addTo(pipeline: ChainableCommander, samples: readonly WaitSample[]): number {
    if (samples.length === 0) return 0;
    const minutes = new Map<string, Map<string, number>>();
    const totals = new Map<string, Map<string, number>>();
    const sums = new Map<string, Map<string, number>>();
    for (const s of samples) {
      const series = `${s.queue}\n${s.priority ?? UNKNOWN}\n`;
      const field = series + waitBucket(s.waitSec);
      bump(minutes, this.keys.waitMinute(s.broker, Math.floor(s.startedAtMs / 60_000)), field, 1);
      const total = this.keys.waitTotals(s.broker);
      bump(totals, total, field, 1);
      bump(sums, total, `${series}sum`, s.waitSec);
    }
    let commands = 0;
    for (const [key, fields] of minutes) {
      for (const [field, n] of fields) pipeline.hincrby(key, field, n);
      pipeline.expire(key, MINUTE_TTL_SEC);
      commands += fields.size + 1;
    }
    for (const [key, fields] of totals) {
      for (const [field, n] of fields) pipeline.hincrby(key, field, n);
      for (const [field, sec] of sums.get(key)!) pipeline.hincrbyfloat(key, field, sec);
      pipeline.expire(key, TOTALS_TTL_SEC);
      commands += fields.size + sums.get(key)!.size + 1;
    }
    return commands;
  }

  /** Records `samples` in one round trip (Celery event ingestion). */
  async record(samples: readonly WaitSample[]): Promise<void> {
    const pipeline = this.redis.pipeline();
    if (this.addTo(pipeline, samples) > 0) await execOrThrow(pipeline);
  }

  /**
   * The last WAIT_WINDOW_MIN minutes (the current one included) of every queue of `brokers`,
   * in one round trip: per queue ref, a histogram per priority that had waits.
   */
  async window(brokers: readonly string[], nowMs = Date.now()): Promise<QueueWaitHistograms> {
    const out: QueueWaitHistograms = new Map();
    for (const { byQueue } of await this.minutes(brokers, nowMs)) {
      for (const [ref, byPriority] of byQueue) {
        let merged = out.get(ref);
        if (!merged) out.set(ref, (merged = new Map()));
        for (const [priority, histogram] of byPriority) addHistogram(merged.get(priority) ?? setNew(merged, priority), histogram);
      }
    }
    return out;
  }

  /**
   * The same window minute by minute, oldest first, every minute present (an empty map for a
   * minute without starts), in one round trip: the queue page charts waits over time.
   */
  async minutes(brokers: readonly string[], nowMs = Date.now()): Promise<WaitMinute[]> {
    const current = Math.floor(nowMs / 60_000);
    const out: WaitMinute[] = [];
    for (let m = current - WAIT_WINDOW_MIN + 1; m <= current; m++) out.push({ startMs: m * 60_000, byQueue: new Map() });
    if (brokers.length === 0) return out;
    const pipeline = this.redis.pipeline();
    const owners: { broker: string; minute: WaitMinute }[] = [];
    for (const broker of brokers) {
      for (const minute of out) {
        pipeline.hgetall(this.keys.waitMinute(broker, minute.startMs / 60_000));
        owners.push({ broker, minute });
      }
    }
    (await execOrThrow(pipeline)).forEach((hash, i) => {
      const { broker, minute } = owners[i]!;
      for (const [field, value] of Object.entries(hash as Record<string, string>)) {
        const parsed = parseField(field);
        if (!parsed || parsed.bucket === 'sum') continue;
        const ref = queueRef(broker, parsed.queue);
        let byPriority = minute.byQueue.get(ref);
        if (!byPriority) minute.byQueue.set(ref, (byPriority = new Map()));
        const histogram = byPriority.get(parsed.priority) ?? setNew(byPriority, parsed.priority);
        histogram[parsed.bucket]! += Number(value);
      }
    });
    return out;
  }

  /** Every wait recorded per broker, queue and priority (the cumulative /metrics histogram), in one round trip. */
  async totals(brokers: readonly string[]): Promise<WaitTotal[]> {
    if (brokers.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const broker of brokers) pipeline.hgetall(this.keys.waitTotals(broker));
    const out: WaitTotal[] = [];
    (await execOrThrow(pipeline)).forEach((hash, i) => {
      const series = new Map<string, WaitTotal>();
      for (const [field, value] of Object.entries(hash as Record<string, string>)) {
        const parsed = parseField(field);
        if (!parsed) continue;
        const key = `${parsed.queue}\n${parsed.priority}`;
        let total = series.get(key);
        if (!total) series.set(key, (total = { broker: brokers[i]!, queue: parsed.queue, priority: parsed.priority, buckets: emptyHistogram(), sumSec: 0 }));
        if (parsed.bucket === 'sum') total.sumSec = Number(value);
        else total.buckets[parsed.bucket]! += Number(value);
      }
      out.push(...[...series.values()].sort((a, b) => a.queue.localeCompare(b.queue) || (a.priority ?? 10) - (b.priority ?? 10)));
    });
    return out;
  }
}

function setNew(map: Map<number | null, WaitHistogram>, priority: number | null): WaitHistogram {
  const histogram = emptyHistogram();
  map.set(priority, histogram);
  return histogram;
}

function bump(map: Map<string, Map<string, number>>, key: string, field: string, by: number): void {
  let fields = map.get(key);
  if (!fields) map.set(key, (fields = new Map()));
  fields.set(field, (fields.get(field) ?? 0) + by);
}

function parseField(field: string): { queue: string; priority: number | null; bucket: number | 'sum' } | null {
  const parts = field.split('\n');
  if (parts.length !== 3) return null;
  const priority = parts[1] === UNKNOWN ? null : Number(parts[1]);
  if (priority !== null && (!Number.isInteger(priority) || priority < 0 || priority > 9)) return null;
  if (parts[2] === 'sum') return { queue: parts[0]!, priority, bucket: 'sum' };
  const bucket = Number(parts[2]);
  if (!Number.isInteger(bucket) || bucket < 0 || bucket >= WAIT_BUCKET_COUNT) return null;
  return { queue: parts[0]!, priority, bucket };
}

