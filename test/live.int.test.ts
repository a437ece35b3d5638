import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import amqp from 'amqplib';
import type { Redis } from 'ioredis';
import { resetRuntime, runtime } from '@/lib/server/runtime';
import { Sampler, getSampler, stopSampler } from '@/lib/server/sampler';
import { createTriageState } from '@/lib/state/triage-state';
import { sseResponse } from '@/lib/server/sse';
import { ALL_STEPS } from '@/lib/shared/priority';
import type { Queue } from '@/lib/shared/types';
import type { HistorySeries } from '@/lib/state/history';
import * as eventsRoute from '@/app/api/v1/events/route';
import * as historyRoute from '@/app/api/v1/queues/[broker]/[queue]/history/route';
import * as metricsRoute from '@/app/metrics/route';
import * as tasks from '@/app/api/v1/queues/[broker]/[queue]/tasks/route';
import { AMQP_URL, MANAGEMENT_URL, REDIS_URL, deleteKeysLike, rawRedis, uniqueName, waitFor } from './support';
import { TEST_ADMIN_TOKEN, call, writeTestConfig } from './api-client';
import { CountingProxy } from './counting-proxy';

/**
 * The live feed, backlog history and /metrics, through the real route handlers, against real
 * Redis and RabbitMQ.
 *
 * How tab independence is proven: the Redis broker is reached only through a counting TCP
 * proxy, so every byte and command Triage sends to that broker is counted (other test files
 * using the same Redis do not disturb the count; Triage's own state Redis is reached
 * directly and is not counted). With 1 SSE client and then with 20, we let the sampler run
 * the same number of ticks and compare the broker commands per tick: they must match
 * within a small tolerance, and polls must equal ticks (one broker read per tick, never one
 * per client).
 */

const prefix = `${uniqueName('live')}:`;
const rq = uniqueName('live-redis');
const rmq = uniqueName('live-rabbit');
const proxy = new CountingProxy(Number(new URL(REDIS_URL).port || 6379));
let redis: Redis;
let connection: amqp.ChannelModel;

interface SseEvent {
  type: string;
  data: unknown;
}

interface SseClient {
  status: Promise<number>;
  events: SseEvent[];
  ended: Promise<void>;
  close(): void;
}

/** One "browser tab": a real Request to the events route, its stream parsed as it arrives. */
function openSse(authorization = `Bearer ${TEST_ADMIN_TOKEN}`): SseClient {
  const controller = new AbortController();
  const events: SseEvent[] = [];
  let reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  let resolveStatus!: (n: number) => void;
  const status = new Promise<number>((r) => (resolveStatus = r));
  const ended = (async () => {
    const response = await eventsRoute.GET(
      new Request('http://localhost/api/v1/events', { headers: authorization ? { authorization } : {}, signal: controller.signal }),
      { params: Promise.resolve({}) },
    );
    resolveStatus(response.status);
    if (!response.body || !response.headers.get('content-type')?.startsWith('text/event-stream')) {
      await response.text();
      return;
    }
    reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const type = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (type && data !== undefined) events.push({ type, data: JSON.parse(data) as unknown });
        }
      }
    } catch {
      // Aborted by close().
    }
  })();
  // A tab going away: the request aborts and the body is cancelled (which of the two reaches the
  // handler first depends on the server; either must release the subscription). Cancelling is
  // also needed here because undici's Request only follows an abort signal through a WeakRef.
  const close = () => {
    controller.abort();
    void reader?.cancel().catch(() => undefined);
  };
  return { status, events, ended, close };
}

function latestQueue(client: SseClient, broker: string, name: string): Queue | null {
  for (let i = client.events.length - 1; i >= 0; i--) {
    const event = client.events[i]!;
    if (event.type !== 'queues') continue;
    const found = (event.data as { queues: Queue[] }).queues.find((q) => q.broker === broker && q.name === name);
    if (found) return found;
  }
  return null;
}

const EXPECTED = { '0': 3, '4': 2, '9': 1 };
const expectedByPriority = () => Object.fromEntries(ALL_STEPS.map((p) => [String(p), EXPECTED[String(p) as keyof typeof EXPECTED] ?? 0]));

async function enqueueAll(broker: string, queue: string) {
  for (const [priority, count] of Object.entries(EXPECTED)) {
    const res = await call(tasks.POST, 'POST', `/api/v1/queues/${broker}/${queue}/tasks`, { broker, queue }, { task: 'live.test', priority: Number(priority), count });
    expect(res.status).toBe(201);
  }
}

beforeAll(async () => {
  redis = rawRedis();
  connection = await amqp.connect(AMQP_URL);
  const port = await proxy.start();
  writeTestConfig({
    brokers: [
      // discover: false so the commands per poll do not vary with other tests' keys.
      { id: 'redis', kind: 'redis', url: `redis://127.0.0.1:${port}/0`, queues: [{ name: rq, steps: [...ALL_STEPS], sep: ':' }], discover: false },
      { id: 'rabbitmq', kind: 'rabbitmq', url: AMQP_URL, managementUrl: MANAGEMENT_URL, queues: [{ name: rmq, maxPriority: 10 }], discover: false },
    ],
    stateRedisUrl: REDIS_URL,
    statePrefix: prefix,
    // Fast clocks so the test waits seconds, not minutes.
    sampler: { historyIntervalSec: 1, liveIntervalMs: 250 },
  });
  await enqueueAll('redis', rq);
  await enqueueAll('rabbitmq', rmq);
});

afterAll(async () => {
  stopSampler();
  await resetRuntime();
  await proxy.stop();
  await deleteKeysLike(redis, rq, prefix);
  const channel = await connection.createChannel();
  await channel.deleteQueue(rmq);
  await connection.close();
  await redis.quit();
  delete process.env.TRIAGE_CONFIG;
});

describe('GET /api/v1/events', () => {
  it('refuses a caller without credentials', async () => {
    const client = openSse('');
    expect(await client.status).toBe(401);
    await client.ended;
  });

  it('sends the queue snapshot and health to every connected tab, and forgets a tab that leaves', async () => {
    const a = openSse();
    const b = openSse();
    expect(await a.status).toBe(200);
    expect(await b.status).toBe(200);
    for (const client of [a, b]) {
      const queue = await waitFor('the redis test queue in the stream', () => latestQueue(client, 'redis', rq));
      expect(queue.byPriority).toEqual(expectedByPriority());
      await waitFor('a health event', () => client.events.some((e) => e.type === 'health'));
    }
    const sampler = await getSampler();
    expect(sampler.listenerCount).toBe(2);
    a.close();
    b.close();
    await Promise.all([a.ended, b.ended]);
    await waitFor('listeners removed', () => sampler.listenerCount === 0);
  });

  it('releases the subscription when the request aborts, and when the body is cancelled', async () => {
    const sampler = await getSampler();
    const before = sampler.listenerCount;
    const aborted = new AbortController();
    const byAbort = sseResponse(sampler, aborted.signal);
    const cancelled = sseResponse(sampler, new AbortController().signal);
    expect(sampler.listenerCount).toBe(before + 2);
    aborted.abort();
    expect(sampler.listenerCount).toBe(before + 1);
    await cancelled.body!.cancel();
    expect(sampler.listenerCount).toBe(before);
    // The aborted stream ends cleanly for whoever still reads it.
    await byAbort.text();
  });

  it('costs the broker the same per tick with 20 tabs as with 1', async () => {
    const sampler = await getSampler();
    const TICKS = 12;
    const measure = async () => {
      const from = sampler.stats.ticks;
      await waitFor('a tick boundary', () => sampler.stats.ticks > from);
      const start = { ticks: sampler.stats.ticks, polls: sampler.stats.polls, commands: proxy.commands, bytes: proxy.bytesIn };
      await waitFor(`${TICKS} ticks`, () => sampler.stats.ticks >= start.ticks + TICKS);
      const ticks = sampler.stats.ticks - start.ticks;
      return {
        ticks,
        polls: sampler.stats.polls - start.polls,
        commandsPerTick: (proxy.commands - start.commands) / ticks,
        bytesPerTick: (proxy.bytesIn - start.bytes) / ticks,
      };
    };
    const first = openSse();
    await waitFor('first tab live', () => latestQueue(first, 'redis', rq));
    const one = await measure();
    const more = Array.from({ length: 19 }, () => openSse());
    await waitFor('20 tabs live', () => more.every((c) => latestQueue(c, 'redis', rq)));
    expect(sampler.listenerCount).toBe(20);
    const twenty = await measure();
    console.info(`[tab independence] 1 tab: ${JSON.stringify(one)}; 20 tabs: ${JSON.stringify(twenty)}`);
    // One broker read per tick whatever the number of tabs (a poll may straddle the window edge).
    expect(Math.abs(one.polls - one.ticks)).toBeLessThanOrEqual(1);
    expect(Math.abs(twenty.polls - twenty.ticks)).toBeLessThanOrEqual(1);
    expect(one.commandsPerTick).toBeGreaterThan(0);
    expect(twenty.commandsPerTick / one.commandsPerTick).toBeGreaterThan(0.8);
    expect(twenty.commandsPerTick / one.commandsPerTick).toBeLessThan(1.25);
    for (const client of [first, ...more]) client.close();
    await Promise.all([first, ...more].map((c) => c.ended));
    await waitFor('listeners removed', () => sampler.listenerCount === 0);
  });
});

describe('GET /api/v1/queues/{broker}/{queue}/history', () => {
  const history = (broker: string, queue: string, range = '15m') =>
    call<HistorySeries>(historyRoute.GET, 'GET', `/api/v1/queues/${broker}/${queue}/history?range=${range}`, { broker, queue });

  it('returns what the server sampler stored, per priority, for both brokers', async () => {
    await getSampler({ history: true });
    for (const [broker, queue] of [['redis', rq], ['rabbitmq', rmq]] as const) {
      const series = await waitFor(`history of ${broker}/${queue}`, async () => {
        const res = await history(broker, queue);
        expect(res.status).toBe(200);
        const last = res.body.points.at(-1);
        // RabbitMQ's management API can report the total before the per-priority split.
        return last && last.depth === 6 && JSON.stringify(last.byPriority) === JSON.stringify(expectedByPriority()) ? res.body : null;
      }, 60_000);
      expect(series.range).toBe('15m');
      // 900 one-second samples averaged in pairs to stay under 500 points.
      expect(series.stepSec).toBe(2);
      expect(series.points.at(-1)!.byPriority).toEqual(expectedByPriority());
    }
    const day = await history('redis', rq, '24h');
    expect(day.body.stepSec).toBe(173);
    expect(day.body.points.length).toBeGreaterThan(0);
  });

  it('answers 404 for an unknown broker and 400 for an unknown range', async () => {
    expect((await history('nope', rq)).status).toBe(404);
    expect((await history('redis', rq, '2d')).status).toBe(400);
  });
});

describe('derived Redis rates', () => {
  it("counts workers' reported takes as dequeues; a steady depth means as many came in", async () => {
    const rt = runtime();
    await rt.ready;
    let clock = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    // Its own instance with an injected clock, driven tick by tick (never started).
    const sampler = new Sampler({
      brokers: [...rt.brokers.values()],
      state: rt.state,
      config: rt.config.sampler,
      logger: rt.logger,
      history: false,
      now: () => clock,
    });
    const unsubscribe = sampler.subscribe(() => undefined);
    try {
      await sampler.tick(); // starts reading the event stream at its current end
      const { workers, events: log } = rt.state;
      const rateOf = () => sampler.latestSnapshot()!.queues.find((q) => q.broker === 'redis' && q.name === rq)!.rates;
      expect(rateOf()).toMatchObject({ enqueue: null, dequeue: null });

      clock += 20_000;
      await workers.put({
        id: 'w-rate', hostname: 'h', pid: 1, broker: 'redis', queues: [rq], concurrency: 1, prefetch: 1, active: 0, processed: 0,
        failed: 0, paused: false, pausedQueues: [], state: 'online', startedAt: iso(clock - 20_000), lastHeartbeatAt: iso(clock), heartbeatIntervalMs: 2000,
      });
      for (let i = 0; i < 30; i++) await log.append({ type: 'task.received', at: iso(clock), broker: 'redis', queue: rq, taskId: `t${i}` });
      for (let i = 0; i < 4; i++) await log.append({ type: 'task.succeeded', at: iso(clock), broker: 'redis', queue: rq, taskId: `t${i}` });
      await sampler.tick();
      // 30 taken over the 20 s observed so far, and the depth did not change.
      expect(rateOf()).toMatchObject({ enqueue: 1.5, dequeue: 1.5 });
      expect([...sampler.outcomes.values()].find((o) => o.queue === rq && o.outcome === 'succeeded')?.count).toBe(4);

      // The worker going away does not erase what it did within the window.
      await workers.remove('w-rate');
      clock += 4000;
      await sampler.tick();
      expect(rateOf()).toMatchObject({ enqueue: 1.25, dequeue: 1.25 });
    } finally {
      unsubscribe();
      sampler.stop();
    }
  });
});

describe('several dashboard replicas', () => {
  it('write one history sample per interval between them', async () => {
    const rt = runtime();
    await rt.ready;
    const replicaPrefix = `${prefix}replicas:`;
    const slotMs = rt.config.sampler.historyIntervalSec * 1000;
    let clock = Math.floor(Date.now() / slotMs) * slotMs + 100;
    const replicas = [1, 2, 3].map(
      () =>
        new Sampler({
          brokers: [...rt.brokers.values()],
          state: createTriageState(rt.state.redis, { ...rt.config, statePrefix: replicaPrefix }),
          config: rt.config.sampler,
          logger: rt.logger,
          history: true,
          now: () => clock,
        }),
    );
    const writes = () => replicas.reduce((sum, r) => sum + r.stats.historyWrites, 0);
    const polls = () => replicas.reduce((sum, r) => sum + r.stats.polls, 0);
    await Promise.all(replicas.map((r) => r.tick()));
    expect(writes()).toBe(1);
    // Losers of the lock with no tab open do not read the brokers at all.
    expect(polls()).toBe(1);
    clock += slotMs;
    await Promise.all(replicas.map((r) => r.tick()));
    expect(writes()).toBe(2);
    const runs = await replicas[0]!.historyStore.runs('redis', rq);
    expect(runs.reduce((n, r) => n + r.count, 0)).toBe(2);
  });
});

describe('GET /metrics', () => {
  const scrape = (authorization = `Bearer ${TEST_ADMIN_TOKEN}`) =>
    metricsRoute.GET(new Request('http://localhost/metrics', { headers: authorization ? { authorization } : {} }));

  it('needs a token', async () => {
    const res = await scrape('');
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
  });

  it('exposes depth per queue and priority in valid exposition text', async () => {
    const res = await scrape();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    // A scrape shows the sampler's latest snapshot, which may predate the removal of the
    // worker record an earlier test put on this queue: wait for a snapshot taken after it.
    const consumersLine = `triage_queue_consumers{broker="redis",queue="${rq}"}`;
    let text = await res.text();
    if (text.includes(consumersLine)) {
      text = await waitFor('a metrics snapshot without the removed worker', async () => {
        const next = await (await scrape()).text();
        return next.includes(consumersLine) ? null : next;
      });
    }
    for (const line of text.trimEnd().split('\n')) {
      expect(line).toMatch(/^(# (HELP|TYPE) [a-z_]+ .+|[a-z_]+(\{([a-z_]+="([^"\\\n]|\\.)*",?)*\})? -?[0-9.e+-]+)$/);
    }
    for (const [broker, queue] of [['redis', rq], ['rabbitmq', rmq]]) {
      expect(text).toContain(`triage_queue_depth{broker="${broker}",queue="${queue}",priority="0"} 3`);
      expect(text).toContain(`triage_queue_depth{broker="${broker}",queue="${queue}",priority="4"} 2`);
      expect(text).toContain(`triage_queue_depth{broker="${broker}",queue="${queue}",priority="9"} 1`);
      expect(text).toContain(`triage_queue_depth{broker="${broker}",queue="${queue}",priority="5"} 0`);
      expect(text).toContain(`triage_queue_messages{broker="${broker}",queue="${queue}"} 6`);
    }
    expect(text).toMatch(/^triage_broker_up\{broker="redis",kind="redis"\} 1$/m);
    expect(text).toMatch(/^triage_workers_alive\{broker="redis"\} \d+$/m);
    // Redis cannot tell consumers: the series is absent, not 0.
    expect(text).not.toContain(consumersLine);
  });

  it('counts task outcomes from the event stream the server sampler reads', async () => {
    // The 4 task.succeeded events appended by the derived-rates test, read by the server's sampler.
    await waitFor('outcome counter', async () =>
      (await (await scrape()).text()).includes(`triage_task_outcomes_total{broker="redis",queue="${rq}",outcome="succeeded"} 4`),
    );
  });
});
