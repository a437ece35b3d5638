import { HISTORY_RANGES, type HistoryRange } from '@/lib/state/history';
import { runtime } from './runtime';
import { getSampler } from './sampler';

export interface BacklogHistory {
  range: HistoryRange;
  stepSec: number;
  /** `[t ms, total depth]` per step, oldest first. */
  queues: { broker: string; queue: string; points: (readonly [number, number])[] }[];
}

/** The live poll's queue list is reused when this fresh, so sparklines never add broker reads of their own. */
const SNAPSHOT_MAX_AGE_MS = 10_000;

const holder = globalThis as typeof globalThis & { __triageBacklogHistory?: Map<HistoryRange, { at: number; value: Promise<BacklogHistory> }> };

async function read(range: HistoryRange): Promise<BacklogHistory> {
  const { state, config } = runtime();
  const snapshot = await (await getSampler()).snapshot(SNAPSHOT_MAX_AGE_MS);
  const refs = snapshot.queues.map((q) => ({ broker: q.broker, queue: q.name }));
  const series = await state.history.readMany(refs, range);
  return {
    range,
    stepSec: series[0]?.stepSec ?? config.sampler.historyIntervalSec,
    queues: refs.map((ref, i) => ({ ...ref, points: series[i]!.points.map((p) => [p.t, p.depth] as const) })),
  };
}

/**
 * Every queue's total backlog over `range`, in one pipelined read of the state Redis. The
 * answer is shared by every tab for half a sample interval (a new sample arrives once per
 * interval), so the state Redis sees the same reads with one tab open or twenty.
 */
export function backlogHistory(range: HistoryRange): Promise<BacklogHistory> {
  if (!(range in HISTORY_RANGES)) throw new Error(`unknown range ${range}`);
  const cache = (holder.__triageBacklogHistory ??= new Map());
  const ttlMs = (runtime().config.sampler.historyIntervalSec * 1000) / 2;
  const hit = cache.get(range);
  if (hit && Date.now() - hit.at < ttlMs) return hit.value;
  const value = read(range);
  cache.set(range, { at: Date.now(), value });
  // A failed read is not kept: the next request tries again.
  value.catch(() => {
    if (cache.get(range)?.value === value) cache.delete(range);
  });
  return value;
}
