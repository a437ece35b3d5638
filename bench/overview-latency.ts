/**
 * Latency of the overview's listing, GET /api/v1/queues, against a production server with
 * 1,000 queues, first empty and then with a 1,000,000-message backlog (1,000 per queue,
 * mixed priorities), on each broker:
 * - Redis (a private redis-server): baseline = one pipelined batch of LLEN over every
 *   step list of the 1,000 queues;
 * - RabbitMQ (the local broker): baseline = one management API call, GET /api/queues with
 *   page_size 500 and the columns Triage asks for.
 * p50/p95/p99 over `--requests` sequential requests (default 200), median of 3 rounds.
 * Targets: p99 ≤ 100 ms; p99 with the backlog ≤ 1.2× p99 empty (counting is O(queues)).
 *
 * `npm run bench -- overview-latency [--queues 1000] [--messages 1000000] [--requests 200] [--broker redis|rabbitmq]`
 */
import { randomUUID } from 'node:crypto';
import { connect } from 'amqplib';
import { plainLayout, targetList } from '@/lib/brokers/redis/layout';
import { RedisBrokerConfigSchema } from '@/lib/brokers/redis/config';
import { buildTaskMessage, toRedisPayload } from '@/lib/shared/celery-codec';
import { toRabbitPriority } from '@/lib/shared/priority';
import { AMQP_URL, MANAGEMENT_URL, PAYLOAD, RUNS, type Figure, type Server, flags, log, median, percentile, privateRedis, report, runIfMain, startServer } from './support';

const args = flags();
const QUEUES = Number(args.get('queues') ?? 1000);
const MESSAGES = Number(args.get('messages') ?? 1_000_000);
const REQUESTS = Number(args.get('requests') ?? 200);
const ONLY = args.get('broker');

interface Latency {
  p50: number;
  p95: number;
  p99: number;
}

async function sample(n: number, once: () => Promise<unknown>): Promise<Latency> {
  const ms: number[] = [];
  for (let i = 0; i < 5; i++) await once(); // warm caches and JIT
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await once();
    ms.push(performance.now() - started);
  }
  return { p50: percentile(ms, 0.5), p95: percentile(ms, 0.95), p99: percentile(ms, 0.99) };
}

/** RUNS rounds of `n` requests; each percentile is the median over the rounds. */
async function rounds(n: number, once: () => Promise<unknown>): Promise<Latency & { rounds: Latency[] }> {
  const all: Latency[] = [];
  for (let r = 0; r < RUNS; r++) all.push(await sample(n, once));
  return { p50: median(all.map((l) => l.p50)), p95: median(all.map((l) => l.p95)), p99: median(all.map((l) => l.p99)), rounds: all };
}

/** Waits (discovery is cached for a few seconds) until the listing holds `expect` queues. */
async function settled(server: Server, expect: (queues: { name: string; depth: number }[]) => boolean): Promise<void> {
  for (let tries = 0; tries < 90; tries++) {
    const res = await fetch(`${server.url}/api/v1/queues`, { headers: server.headers });
    if (res.ok && expect(((await res.json()) as { queues: { name: string; depth: number }[] }).queues)) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error('the listing never showed the bench queues');
}

function listing(server: Server, expectQueues: number): () => Promise<void> {
  return async () => {
    const res = await fetch(`${server.url}/api/v1/queues`, { headers: server.headers });
    const body = (await res.json()) as { queues: { name: string }[] };
    if (!res.ok || body.queues.length < expectQueues) throw new Error(`GET /api/v1/queues: HTTP ${res.status}, ${body.queues?.length} queues`);
  };
}

function figures(broker: string, baselineName: string, empty: { triage: Latency; raw: Latency }, full: { triage: Latency; raw: Latency }): Figure[] {
  const f = (figure: string, triage: number, baseline: number | null, name: string, goal: Figure['goal']): Figure => ({ figure: `${broker}: ${figure}`, unit: 'ms', triage, baseline, baselineName: name, goal });
  return [
    f('p50, empty', empty.triage.p50, empty.raw.p50, baselineName, null),
    f('p95, empty', empty.triage.p95, empty.raw.p95, baselineName, null),
    f('p99, empty', empty.triage.p99, empty.raw.p99, baselineName, { limit: 100 }),
    f('p50, 1M backlog', full.triage.p50, full.raw.p50, baselineName, null),
    f('p95, 1M backlog', full.triage.p95, full.raw.p95, baselineName, null),
    f('p99, 1M backlog', full.triage.p99, full.raw.p99, baselineName, { limit: 100 }),
    f('p99 1M backlog vs empty', full.triage.p99, empty.triage.p99, 'Triage p99 empty', { max: 1.2 }),
  ];
}

async function redisRow(): Promise<Figure[]> {
  const redis = await privateRedis();
  const server = await startServer({ REDIS_URL: redis.url, TRIAGE_BROKERS: 'redis' });
  try {
    const config = RedisBrokerConfigSchema.parse({ id: 'redis', kind: 'redis', url: redis.url });
    const names = Array.from({ length: QUEUES }, (_, i) => `bench-ov-${String(i).padStart(4, '0')}`);
    const layouts = names.map((name) => plainLayout(config, name, undefined));
    const keys = layouts.flatMap((l) => l.lists.map((list) => list.key));
    const declare = redis.client.pipeline();
    for (const name of names) declare.sadd(`_kombu.binding.${name}`, `${name}${config.sep}${config.sep}${name}`);
    await declare.exec();
    const llens = async () => {
      const pipeline = redis.client.pipeline();
      for (const key of keys) pipeline.llen(key);
      await pipeline.exec();
    };
    log(`redis: ${QUEUES} empty queues`);
    await settled(server, (queues) => queues.length >= QUEUES);
    const empty = { triage: await rounds(REQUESTS, listing(server, QUEUES)), raw: await rounds(REQUESTS, llens) };

    log(`redis: filling ${MESSAGES} messages`);
    const perQueue = Math.ceil(MESSAGES / QUEUES);
    const payloads = Array.from({ length: 10 }, (_, p) => toRedisPayload(buildTaskMessage({ task: 'bench.tasks.noop', args: [PAYLOAD] }, p), { routingKey: 'x' }));
    for (let q = 0; q < QUEUES; q += 10) {
      const pipeline = redis.client.pipeline();
      for (const layout of layouts.slice(q, q + 10)) {
        for (let p = 0; p < 10; p++) {
          pipeline.lpush(targetList(layout, p).key, ...Array.from({ length: Math.ceil(perQueue / 10) }, () => payloads[p]!));
        }
      }
      await pipeline.exec();
    }
    await settled(server, (queues) => queues.reduce((sum, q) => sum + q.depth, 0) >= perQueue * QUEUES);
    const full = { triage: await rounds(REQUESTS, listing(server, QUEUES)), raw: await rounds(REQUESTS, llens) };
    return figures('redis', 'one pipelined batch of LLEN', empty, full);
  } finally {
    await server.stop();
    await redis.stop();
  }
}

async function rabbitRow(): Promise<Figure[]> {
  const amqp = await connect(AMQP_URL, { noDelay: true });
  const channel = await amqp.createConfirmChannel();
  const prefix = `bench-ov-${randomUUID().slice(0, 6)}`;
  const names = Array.from({ length: QUEUES }, (_, i) => `${prefix}-${String(i).padStart(4, '0')}`);
  const server = await startServer({ TRIAGE_BROKERS: 'rabbitmq' });
  const mgmt = new URL(MANAGEMENT_URL);
  const auth = `Basic ${Buffer.from(`${decodeURIComponent(mgmt.username)}:${decodeURIComponent(mgmt.password)}`).toString('base64')}`;
  const columns = 'name,type,durable,auto_delete,exclusive,arguments,messages_ready,messages_unacknowledged,consumers,backing_queue_status,message_stats,head_message_timestamp';
  const onePage = async () => {
    const res = await fetch(`${mgmt.origin}/api/queues/%2F?page=1&page_size=500&sort=name&columns=${columns}`, { headers: { authorization: auth } });
    if (!res.ok) throw new Error(`management API: HTTP ${res.status}`);
    await res.json();
  };
  try {
    for (const name of names) await channel.assertQueue(name, { durable: true, arguments: { 'x-max-priority': 10 } });
    log(`rabbitmq: ${QUEUES} empty queues`);
    await settled(server, (queues) => queues.filter((q) => q.name.startsWith(prefix)).length >= QUEUES);
    const empty = { triage: await rounds(REQUESTS, listing(server, QUEUES)), raw: await rounds(REQUESTS, onePage) };

    log(`rabbitmq: filling ${MESSAGES} messages`);
    const body = Buffer.from(buildTaskMessage({ task: 'bench.tasks.noop', args: [PAYLOAD] }).body);
    const perQueue = Math.ceil(MESSAGES / QUEUES);
    for (const name of names) {
      for (let i = 0; i < perQueue; i++) {
        // Transient: the backlog is about counting, not about disk.
        if (!channel.publish('', name, body, { priority: toRabbitPriority(i % 10, 10), deliveryMode: 1 })) await new Promise((r) => channel.once('drain', r));
      }
      await channel.waitForConfirms();
    }
    // The management API's counts refresh every ~5 s: wait until it shows the backlog.
    await settled(server, (queues) => queues.filter((q) => q.name.startsWith(prefix)).reduce((sum, q) => sum + q.depth, 0) >= perQueue * QUEUES);
    const full = { triage: await rounds(REQUESTS, listing(server, QUEUES)), raw: await rounds(REQUESTS, onePage) };
    return figures('rabbitmq', 'one management API page (500)', empty, full);
  } finally {
    await server.stop();
    for (const name of names) await channel.deleteQueue(name).catch(() => undefined);
    await amqp.close();
  }
}

export async function main(): Promise<void> {
  const rows: Figure[] = [];
  if (!ONLY || ONLY === 'redis') rows.push(...(await redisRow()));
  if (!ONLY || ONLY === 'rabbitmq') rows.push(...(await rabbitRow()));
  report('overview-latency', 'Overview listing latency (GET /api/v1/queues)', [
    `${QUEUES} queues; backlog ${MESSAGES} messages (600-byte payloads, all 10 priorities); ${REQUESTS} sequential requests per round; each percentile is the median of ${RUNS} rounds.`,
    'Production server (`next start`). Redis: a private redis-server; RabbitMQ: the shared local broker (its listing also holds other queues on the vhost).',
  ], rows);
}

runIfMain(import.meta.url, main);
