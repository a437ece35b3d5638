/**
 * Enqueue throughput on Redis (tasks/s), 600-byte payloads, on a private redis-server:
 * - single awaited enqueue with a priority through the adapter vs awaited ioredis LPUSH of
 *   the same envelope bytes vs BullMQ `add` with a priority;
 * - bulk, batches of 1,000, through the adapter vs an ioredis pipeline of 1,000 LPUSH vs
 *   BullMQ `addBulk(1000)`;
 * - bulk through HTTP (`POST /api/v1/queues/redis/{q}/tasks` with `count: 1000`) against
 *   a production server vs the same pipelined baseline.
 *
 * `npm run bench -- enqueue-redis`. Env: BENCH_SINGLE (default 3000), BENCH_BULK (default 20000), BENCH_WARMUP
 * (unmeasured rounds first, default 1).
 */
import { Queue as BullQueue } from 'bullmq';
import { RedisBroker } from '@/lib/brokers/redis/redis-broker';
import { RedisBrokerConfigSchema } from '@/lib/brokers/redis/config';
import { buildTaskMessage, toRedisPayload } from '@/lib/shared/celery-codec';
import { KOMBU_DEFAULT_SEP } from '@/lib/shared/priority';
import { PAYLOAD, RUNS, WARMUP_ROUNDS, type Figure, interleaved, log, median, privateRedis, report, runIfMain, startServer } from './support';

const SINGLE = Number(process.env.BENCH_SINGLE ?? 3000);
const BULK = Number(process.env.BENCH_BULK ?? 20_000);
const BATCH = 1000;
/** Contenders alternate in this many slices per run (see interleaved()). */
const SLICES = 5;
const QUEUE = 'bench-enqueue';

const spec = (i: number) => ({ task: 'bench.tasks.noop', args: [PAYLOAD, i] });

export async function main(): Promise<void> {
  const redis = await privateRedis();
  const server = await startServer({ REDIS_URL: redis.url, TRIAGE_BROKERS: 'redis' });
  const broker = new RedisBroker(RedisBrokerConfigSchema.parse({ id: 'redis', kind: 'redis', url: redis.url }));
  await broker.connect();
  const { port } = new URL(redis.url);
  const bull = new BullQueue('bench', { connection: { host: '127.0.0.1', port: Number(port), maxRetriesPerRequest: null } });
  // The raw baselines push exactly the bytes Triage writes for one such task.
  const envelope = toRedisPayload(buildTaskMessage(spec(0), 6), { routingKey: QUEUE });
  const rawKey = `bench-raw${KOMBU_DEFAULT_SEP}6`;
  const samples: Record<string, number[]> = {};
  const note = (key: string, value: number) => (samples[key] ??= []).push(value);
  const fresh = async () => {
    await redis.client.flushdb();
    // Declared as a Celery producer does, so the adapter and the server discover it.
    await redis.client.sadd(`_kombu.binding.${QUEUE}`, `${QUEUE}${KOMBU_DEFAULT_SEP}${KOMBU_DEFAULT_SEP}${QUEUE}`);
  };

  try {
    for (let run = -WARMUP_ROUNDS; run < RUNS; run++) {
      log(run < 0 ? `enqueue-redis warm-up (not measured)` : `enqueue-redis run ${run + 1}/${RUNS}`);
      await fresh();
      await bull.obliterate({ force: true });
      let i = 0;
      const single = await interleaved(SLICES, {
        'raw single': { count: SINGLE / SLICES, run: async () => {
          for (let n = 0; n < SINGLE / SLICES; n++) await redis.client.lpush(rawKey, envelope);
        } },
        'triage single': { count: SINGLE / SLICES, run: async () => {
          for (let n = 0; n < SINGLE / SLICES; n++, i++) await broker.enqueue(QUEUE, [{ priority: i % 10, spec: spec(i) }]);
        } },
        'bullmq single': { count: SINGLE / SLICES, run: async () => {
          for (let n = 0; n < SINGLE / SLICES; n++, i++) await bull.add('noop', { args: [PAYLOAD, i] }, { priority: 1 + (i % 10) });
        } },
      });
      await fresh();
      await bull.obliterate({ force: true });
      const bulkPerSlice = BULK / SLICES;
      const bulk = await interleaved(SLICES, {
        'raw pipelined': { count: bulkPerSlice, run: async () => {
          for (let done = 0; done < bulkPerSlice; done += BATCH) {
            const pipeline = redis.client.pipeline();
            for (let n = 0; n < BATCH; n++) pipeline.lpush(rawKey, envelope);
            await pipeline.exec();
          }
        } },
        'triage bulk': { count: bulkPerSlice, run: async () => {
          for (let done = 0; done < bulkPerSlice; done += BATCH) {
            await broker.enqueue(QUEUE, Array.from({ length: BATCH }, (_, n) => ({ priority: (done + n) % 10, spec: spec(done + n) })));
          }
        } },
        'bullmq bulk': { count: bulkPerSlice, run: async () => {
          for (let done = 0; done < bulkPerSlice; done += BATCH) {
            await bull.addBulk(Array.from({ length: BATCH }, (_, n) => ({ name: 'noop', data: { args: [PAYLOAD, done + n] }, opts: { priority: 1 + ((done + n) % 10) } })));
          }
        } },
        'http bulk': { count: bulkPerSlice, run: async () => {
          for (let done = 0; done < bulkPerSlice; done += BATCH) {
            const res = await fetch(`${server.url}/api/v1/queues/redis/${QUEUE}/tasks`, {
              method: 'POST',
              headers: server.headers,
              body: JSON.stringify({ task: 'bench.tasks.noop', args: [PAYLOAD, done], priority: (done / BATCH) % 10, count: BATCH }),
            });
            if (res.status !== 201) throw new Error(`POST tasks: HTTP ${res.status} ${await res.text()}`);
            await res.arrayBuffer();
          }
        } },
      });
      if (run >= 0) for (const [key, value] of Object.entries({ ...single, ...bulk })) note(key, value);
    }
  } finally {
    await bull.close();
    await broker.close();
    await server.stop();
    await redis.stop();
  }

  const m = (key: string) => median(samples[key]!);
  const fig = (figure: string, key: string, base: string, baselineName: string, min: number): Figure => ({
    figure,
    unit: 'tasks/s',
    triage: m(key),
    baseline: m(base),
    baselineName,
    goal: { min },
    runs: samples[key],
  });
  report('enqueue-redis', 'Enqueue throughput, Redis', [
    `${SINGLE} single enqueues and ${BULK} bulk enqueues (batches of ${BATCH}) per contender and run, in ${SLICES} alternating slices; 600-byte payload, private redis-server 7.`,
    'Raw baselines LPUSH the very envelope bytes Triage writes; BullMQ 6.7 on the same Redis, priorities 1–10.',
    // No client enqueues faster than one awaited LPUSH of the bytes: that bounds the BullMQ row.
    `Bound of the single-enqueue BullMQ row: raw awaited LPUSH itself ran at ${(m('raw single') / m('bullmq single')).toFixed(2)}× BullMQ add in this run, so 1.5× needs Triage at ${(1.5 * m('bullmq single') / m('raw single')).toFixed(2)} of raw.`,
  ], [
    fig('single awaited enqueue (priority)', 'triage single', 'raw single', 'ioredis awaited LPUSH', 0.6),
    fig('single awaited enqueue vs BullMQ add', 'triage single', 'bullmq single', 'BullMQ add, priority', 1.5),
    fig('bulk 1,000 via library', 'triage bulk', 'raw pipelined', 'ioredis pipeline of 1,000 LPUSH', 0.5),
    fig('bulk 1,000 via library vs BullMQ', 'triage bulk', 'bullmq bulk', 'BullMQ addBulk(1000)', 1.5),
    fig('bulk 1,000 via HTTP (count)', 'http bulk', 'raw pipelined', 'ioredis pipeline of 1,000 LPUSH', 0.25),
    fig('bulk 1,000 via HTTP vs BullMQ', 'http bulk', 'bullmq bulk', 'BullMQ addBulk(1000)', 1.5),
  ]);
}

runIfMain(import.meta.url, main);
