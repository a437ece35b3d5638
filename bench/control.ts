/**
 * Control-plane throughput (messages/s): reprioritize and move on each broker, and the
 * cross-broker move, beside the raw broker move rate measured in the same run:
 * - Redis: pipelined LMOVE tail→head between two lists, 500 per round trip (no decoding,
 *   no priority rewrite, no byte check);
 * - RabbitMQ: basic.get (manual ack) → publish on a confirm channel → ack after the
 *   confirms of each 500, the same safety protocol the control plane uses, bare.
 * Median of 3 runs each, 600-byte payloads. `npm run bench -- control` or `npx tsx bench/control.ts`.
 *
 * Env: BENCH_MESSAGES (default 100000), REDIS_URL, AMQP_URL, RABBITMQ_MANAGEMENT_URL.
 */
import { randomUUID } from 'node:crypto';
import { connect, type ChannelModel } from 'amqplib';
import { Redis } from 'ioredis';
import { RabbitBroker } from '@/lib/brokers/rabbitmq/rabbitmq-broker';
import { RedisBroker } from '@/lib/brokers/redis/redis-broker';
import { RabbitBrokerConfigSchema } from '@/lib/brokers/rabbitmq/config';
import { RedisBrokerConfigSchema } from '@/lib/brokers/redis/config';
import { transfer } from '@/lib/control/transfer';
import { KOMBU_DEFAULT_SEP } from '@/lib/shared/priority';
import { UndoRecordStore } from '@/lib/state/undo-records';
import { PAYLOAD, RUNS, median, report, runIfMain } from './support';

const N = Number(process.env.BENCH_MESSAGES ?? 100_000);
const BATCH = 500;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const MANAGEMENT_URL = process.env.RABBITMQ_MANAGEMENT_URL ?? 'http://guest:guest@127.0.0.1:15672';

const items = (priority: number) => Array.from({ length: N }, (_, i) => ({ priority, spec: { task: 'bench.tasks.noop', args: [PAYLOAD, i] } }));
const name = (label: string) => `bench-ctl-${label}-${randomUUID().slice(0, 8)}`;

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return N / ((performance.now() - started) / 1000);
}

// ---------------------------------------------------------------------------
// raw baselines

async function rawRedisMove(redis: Redis, from: string, to: string): Promise<void> {
  for (let moved = 0; moved < N; moved += BATCH) {
    const pipeline = redis.pipeline();
    for (let i = 0; i < Math.min(BATCH, N - moved); i++) pipeline.lmove(from, to, 'RIGHT', 'LEFT');
    await pipeline.exec();
  }
}

async function rawRabbitMove(amqp: ChannelModel, from: string, to: string): Promise<void> {
  const getter = await amqp.createChannel();
  const publisher = await amqp.createConfirmChannel();
  let left = N;
  while (left > 0) {
    const batch = [];
    // Gets pipelined 32 at a time, as the control plane does, so the baseline is the broker's best.
    for (let i = 0; i < Math.min(BATCH, left); i += 32) {
      const replies = await Promise.all(Array.from({ length: Math.min(32, BATCH, left - i) }, () => getter.get(from, { noAck: false })));
      for (const got of replies) {
        if (!got) continue;
        batch.push(got);
        publisher.publish('', to, got.content, { ...got.properties, priority: 9 });
      }
    }
    await publisher.waitForConfirms();
    for (const got of batch) getter.ack(got);
    left -= batch.length;
    if (batch.length === 0) break;
  }
  await getter.close();
  await publisher.close();
}

// ---------------------------------------------------------------------------

export async function main(): Promise<void> {
  const redis = new Redis(REDIS_URL);
  const amqp = await connect(AMQP_URL, { noDelay: true });
  const rb = new RedisBroker(RedisBrokerConfigSchema.parse({ id: 'redis', kind: 'redis', url: REDIS_URL }));
  const mb = new RabbitBroker(RabbitBrokerConfigSchema.parse({ id: 'rabbitmq', kind: 'rabbitmq', url: AMQP_URL, managementUrl: MANAGEMENT_URL }));
  await Promise.all([rb.connect(), mb.connect()]);
  const redisQueues: string[] = [];
  const rabbitQueues: string[] = [];
  const declare = async (q: string) => {
    rabbitQueues.push(q);
    const ch = await amqp.createChannel();
    await ch.assertQueue(q, { durable: true, arguments: { 'x-max-priority': 10 } });
    await ch.close();
  };
  const samples: Record<string, { op: number; raw: number }[]> = {};
  const note = (key: string, op: number, raw: number) => (samples[key] ??= []).push({ op, raw });
  // What an audited reprioritize also writes: each batch's ids and former priorities, in the state Redis.
  const undoPrefix = `bench-undo-${randomUUID().slice(0, 8)}:`;
  const undo = new UndoRecordStore(redis, undoPrefix);
  const recording = (operation: string) => ({ record: (batch: Parameters<UndoRecordStore['append']>[1]) => undo.append(operation, batch) });

  try {
    for (let run = 0; run < RUNS; run++) {
      process.stdout.write(`run ${run + 1}/${RUNS}\n`);
      // Redis raw
      const ra = name('ra');
      const rbq = name('rb');
      redisQueues.push(ra, rbq);
      await rb.enqueue(ra, items(9)).catch(async () => {
        await redis.sadd(`_kombu.binding.${ra}`, `${ra}${KOMBU_DEFAULT_SEP}${KOMBU_DEFAULT_SEP}${ra}`);
        return rb.enqueue(ra, items(9));
      });
      const rawRedis = await timed(() => rawRedisMove(redis, `${ra}${KOMBU_DEFAULT_SEP}9`, `${rbq}${KOMBU_DEFAULT_SEP}9`));
      // Redis reprioritize: all of step 9 → 0 (every message rewritten).
      const rp = name('rp');
      redisQueues.push(rp);
      await redis.sadd(`_kombu.binding.${rp}`, `${rp}${KOMBU_DEFAULT_SEP}${KOMBU_DEFAULT_SEP}${rp}`);
      await rb.enqueue(rp, items(9));
      note('redis|reprioritize', await timed(() => rb.control.relocate(rp, {}, { queue: rp, priority: 0 })), rawRedis);
      const rr = name('rr');
      redisQueues.push(rr);
      await redis.sadd(`_kombu.binding.${rr}`, `${rr}${KOMBU_DEFAULT_SEP}${KOMBU_DEFAULT_SEP}${rr}`);
      await rb.enqueue(rr, items(9));
      note('redis|reprioritize, undo recorded', await timed(() => rb.control.relocate(rr, {}, { queue: rr, priority: 0 }, recording(rr))), rawRedis);
      // Redis move to another queue, keeping levels.
      const rm = name('rm');
      redisQueues.push(rm);
      await rb.control.prepareTarget(rm, { create: true });
      note('redis|move', await timed(() => rb.control.relocate(rp, {}, { queue: rm, priority: null })), rawRedis);

      // RabbitMQ raw
      const ma = name('ma');
      const mbq = name('mb');
      await declare(ma);
      await declare(mbq);
      await mb.enqueue(ma, items(9));
      const rawRabbit = await timed(() => rawRabbitMove(amqp, ma, mbq));
      const mp = name('mp');
      await declare(mp);
      rabbitQueues.push(`${mp}.triage-hold`);
      await mb.enqueue(mp, items(9));
      note('rabbitmq|reprioritize', await timed(() => mb.control.relocate(mp, {}, { queue: mp, priority: 0 })), rawRabbit);
      const mr = name('mr');
      await declare(mr);
      rabbitQueues.push(`${mr}.triage-hold`);
      await mb.enqueue(mr, items(9));
      note('rabbitmq|reprioritize, undo recorded', await timed(() => mb.control.relocate(mr, {}, { queue: mr, priority: 0 }, recording(mr))), rawRabbit);
      const mm = name('mm');
      await declare(mm);
      note('rabbitmq|move', await timed(() => mb.control.relocate(mp, {}, { queue: mm, priority: null })), rawRabbit);

      // Cross-broker, measured against the slower side's raw rate (RabbitMQ).
      note('redis → rabbitmq|move (cross-broker)', await timed(() => transfer({ broker: rb, queue: rm }, { broker: mb, queue: mp }, {}, null)), rawRabbit);
      note('rabbitmq → redis|move (cross-broker)', await timed(() => transfer({ broker: mb, queue: mp }, { broker: rb, queue: rm }, {}, null)), rawRabbit);
    }
  } finally {
    for (const q of redisQueues) {
      const keys = await redis.keys(`${q.replace(/[*?[\]]/g, '\\$&')}*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.del(`_kombu.binding.${q}`);
    }
    const undoKeys = await redis.keys(`${undoPrefix}*`);
    if (undoKeys.length > 0) await redis.del(...undoKeys);
    const ch = await amqp.createChannel();
    for (const q of rabbitQueues) await ch.deleteQueue(q);
    await ch.close();
    await Promise.all([rb.close(), mb.close(), amqp.close(), redis.quit()]);
  }

  report(
    'control',
    'Control-plane throughput',
    [
      `${N} messages per run, 600-byte payloads. Raw = the bare broker move in the same run (Redis: pipelined LMOVE, 500 per round trip;`,
      'RabbitMQ: basic.get → confirmed publish → ack per 500). Reprioritize on RabbitMQ copies every message twice (via the holding queue);',
      'Triage reads RabbitMQ with basic.consume (prefetch 1,500), which costs the broker far less than basic.get. Cross-broker moves are set against the slower side (RabbitMQ).',
    ],
    Object.entries(samples).map(([key, runs]) => ({
      figure: key.replace('|', ' '),
      unit: 'msg/s',
      triage: median(runs.map((r) => r.op)),
      baseline: median(runs.map((r) => r.raw)),
      baselineName: key.startsWith('redis|') ? 'pipelined LMOVE' : 'get + confirmed publish + ack',
      goal: { min: 0.5 },
      runs,
    })),
  );
}

runIfMain(import.meta.url, main);
