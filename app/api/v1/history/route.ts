import { z } from 'zod';
import { route, runtime as triage } from '@/lib/server/http';
import { getSampler } from '@/lib/server/sampler';
import { HistoryStore } from '@/lib/state/history';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

const QuerySchema = z
  .object({ range: z.enum(['15m', '1h', '24h'], { error: 'range is one of 15m, 1h, 24h' }).default('15m') })
  .strict();

/** The live poll's queue list is reused when this fresh, so sparklines never add broker reads of their own. */
const SNAPSHOT_MAX_AGE_MS = 10_000;

/**
 * Total backlog over time for every queue in one answer (the overview's sparklines):
 * `{range, stepSec, queues: [{broker, queue, points: [[t ms, depth], …]}]}`. One pipelined
 * read of the state Redis, however many queues.
 */
export const GET = route({ role: 'viewer', query: QuerySchema }, async ({ query }) => {
  const { stateRedis, config } = triage();
  const snapshot = await (await getSampler()).snapshot(SNAPSHOT_MAX_AGE_MS);
  const refs = snapshot.queues.map((q) => ({ broker: q.broker, queue: q.name }));
  const store = new HistoryStore(stateRedis, config.statePrefix, config.sampler.historyIntervalSec, config.sampler.historyRetentionSec);
  const series = await store.readMany(refs, query.range);
  return {
    range: query.range,
    stepSec: series[0]?.stepSec ?? config.sampler.historyIntervalSec,
    queues: refs.map((ref, i) => ({ ...ref, points: series[i]!.points.map((p) => [p.t, p.depth] as const) })),
  };
});
