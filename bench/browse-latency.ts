/**
 * Browse latency on Redis: p99 of GET /api/v1/queues/redis/{q}/messages?limit=50 on a
 * queue 1,000,000 messages deep (private redis-server, production server), for the first
 * page and for cursor pages 100,000 and 500,000 messages in, beside a raw LRANGE of the
 * same 50 messages. A deep page costs what Redis needs to reach the offset (LRANGE walks
 * the list's nodes), nothing proportional on Triage's side: no page is read to get there.
 *
 * `npm run bench -- browse-latency [--messages 1000000] [--requests 200]`
 */
import { encodeCursor } from '@/lib/brokers/redis/browse';
import { plainLayout, targetList } from '@/lib/brokers/redis/layout';
import { RedisBrokerConfigSchema } from '@/lib/brokers/redis/config';
import { buildTaskMessage, toRedisPayload } from '@/lib/shared/celery-codec';
import { PAYLOAD, RUNS, type Figure, flags, latency, log, privateRedis, report, runIfMain, startServer } from './support';

const args = flags();
const MESSAGES = Number(args.get('messages') ?? 1_000_000);
const REQUESTS = Number(args.get('requests') ?? 200);
const PAGE = 50;
const QUEUE = 'bench-browse';

const p99 = (once: () => Promise<unknown>) => latency(once, REQUESTS);

export async function main(): Promise<void> {
  const redis = await privateRedis();
  const server = await startServer({ REDIS_URL: redis.url, TRIAGE_BROKERS: 'redis' });
  const figures: Figure[] = [];
  try {
    const config = RedisBrokerConfigSchema.parse({ id: 'redis', kind: 'redis', url: redis.url });
    const layout = plainLayout(config, QUEUE, undefined);
    const list = targetList(layout, 6);
    const listIndex = layout.lists.indexOf(list);
    await redis.client.sadd(`_kombu.binding.${QUEUE}`, `${QUEUE}${config.sep}${config.sep}${QUEUE}`);
    log(`browse-latency: filling ${MESSAGES} messages`);
    const payload = toRedisPayload(buildTaskMessage({ task: 'bench.tasks.noop', args: [PAYLOAD] }, 6), { routingKey: QUEUE });
    for (let done = 0; done < MESSAGES; done += 10_000) {
      const pipeline = redis.client.pipeline();
      for (let i = 0; i < 10; i++) pipeline.lpush(list.key, ...Array.from({ length: 1000 }, () => payload));
      await pipeline.exec();
    }

    const page = (offset: number) => async () => {
      const cursor = offset === 0 ? '' : `&cursor=${encodeCursor({ list: listIndex, offset })}`;
      const res = await fetch(`${server.url}/api/v1/queues/redis/${QUEUE}/messages?limit=${PAGE}${cursor}`, { headers: server.headers });
      const body = (await res.json()) as { messages: unknown[] };
      if (!res.ok || body.messages.length !== PAGE) throw new Error(`browse at ${offset}: HTTP ${res.status}, ${body.messages?.length} messages`);
    };
    // What the page reads: the 50 messages `offset` from the tail (the next to be popped).
    const raw = (offset: number) => () => redis.client.lrangeBuffer(list.key, -(offset + PAGE), -(offset + 1));

    const offsets = [0, 100_000, Math.floor(MESSAGES / 2)].filter((o) => o + PAGE <= MESSAGES);
    const results = new Map<number, { triage: number; raw: number }>(); // p50s
    for (const offset of offsets) {
      log(`browse-latency: page at ${offset}`);
      const triage = await p99(page(offset));
      const base = await p99(raw(offset));
      results.set(offset, { triage: triage.p50, raw: base.p50 });
      figures.push({
        figure: offset === 0 ? 'first page (50), p99' : `cursor page (50) at ${offset.toLocaleString('en')}, p99`,
        unit: 'ms',
        triage: triage.p99,
        baseline: base.p99,
        baselineName: 'raw LRANGE of the same 50',
        goal: offset === 0 ? { limit: 50 } : null,
        runs: [triage.rounds, base.rounds],
      });
    }
    const deepest = offsets.at(-1)!;
    if (deepest > 100_000) {
      // Not O(depth) on Triage's side: the deep page's cost over the raw read's must not grow
      // with depth. Medians: a p99 difference on a shared machine is mostly noise.
      const extra = (o: number) => Math.max(0, results.get(o)!.triage - results.get(o)!.raw);
      figures.push({
        figure: `Triage's own cost (p50 − raw p50) at ${deepest.toLocaleString('en')} vs at the first page`,
        unit: 'ms',
        triage: extra(deepest),
        baseline: extra(0),
        baselineName: 'same at the first page',
        goal: { max: 1.5 },
      });
    }
  } finally {
    await server.stop();
    await redis.stop();
  }
  report('browse-latency', 'Browse latency, Redis (GET /api/v1/queues/redis/{q}/messages)', [
    `One queue ${MESSAGES.toLocaleString('en')} messages deep (600-byte payloads, one priority list); pages of ${PAGE}; ${REQUESTS} sequential requests per round; p99 is the median of ${RUNS} rounds.`,
    'Deep pages use the cursor the API hands out (list, offset from the tail). Redis reaches an offset by walking list nodes, which the raw LRANGE pays too.',
  ], figures);
}

runIfMain(import.meta.url, main);
