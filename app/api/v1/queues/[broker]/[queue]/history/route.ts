import { z } from 'zod';
import { QueueParamsSchema, getBroker, route, runtime as triage } from '@/lib/server/http';
import { HistoryStore } from '@/lib/state/history';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

const QuerySchema = z
  .object({ range: z.enum(['15m', '1h', '24h'], { error: 'range is one of 15m, 1h, 24h' }).default('1h') })
  .strict();

/**
 * Backlog by priority over time, as the server's sampler stored it: `{range, stepSec,
 * points: [{t, byPriority, depth}]}`; no points for a queue never sampled.
 */
export const GET = route({ role: 'viewer', params: QueueParamsSchema, query: QuerySchema }, async ({ params, query }) => {
  await getBroker(params.broker);
  const { stateRedis, config } = triage();
  const store = new HistoryStore(stateRedis, config.statePrefix, config.sampler.historyIntervalSec, config.sampler.historyRetentionSec);
  return store.read(params.broker, params.queue, query.range);
});
