import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { rawRedis, scratchRedis, uniqueName, waitFor } from '@/test/support';
import { LeaderLease } from '@/lib/state/leader-lease';
import { WorkerStore } from '@/lib/state/worker-store';
import type { WorkerRecord } from '@/lib/shared/types';
import { AlertCenter, type AlertCondition } from './center';
import { startAlertLoop, type AlertLoop } from './loop';
import { AlertStore } from './store';
import { startReceiver, type TestReceiver } from '@/test/webhook-receiver';

const scratch = scratchRedis();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => scratch.done());

const SECRET = 'a-webhook-secret-of-some-length';

function statePrefix(): string {
  const prefix = `${uniqueName('alerts')}:`;
  scratch.names.push(prefix);
  return prefix;
}

async function receiver(script: number[] = []): Promise<TestReceiver> {
  const r = await startReceiver(script);
  cleanups.push(() => r.close());
  return r;
}

function loop(center: AlertCenter, prefix: string, holder: string): AlertLoop {
  const started = startAlertLoop({
    center,
    lease: new LeaderLease(scratch.client, `${prefix}leader:alerts`, holder, 600),
    readSnapshot: async () => null,
    readWorkers: async () => [],
    deliverEveryMs: 30,
    evaluateEveryMs: 60_000,
  });
  cleanups.push(() => started.stop());
  return started;
}

const breach: AlertCondition = {
  key: 'slo:redis/celery/high',
  kind: 'slo',
  severity: 'critical',
  summary: 'celery P0–2 waits 45 s (SLO 30 s)',
  details: { worstWaitSec: 45, maxWaitSec: 30 },
  link: '/queues/redis/celery',
};

function verify(request: { headers: Record<string, unknown>; body: string }, secret: string): boolean {
  const timestamp = String(request.headers['x-triage-timestamp']);
  const given = Buffer.from(String(request.headers['x-triage-signature']));
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${timestamp}.${request.body}`).digest('hex')}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

describe('alert center with a real webhook receiver', () => {
  it('an SLO breach delivers exactly one notification and one resolve, signed, once for two replicas', async () => {
    const prefix = statePrefix();
    const hook = await receiver();
    const store = new AlertStore(scratch.client, prefix);
    await store.setWebhooks({ webhooks: [{ url: hook.url, format: 'json', secret: SECRET }] });
    // Two replicas, each with its own connection and loop, share the state Redis.
    const other = rawRedis();
    cleanups.push(async () => void (await other.quit()));
    const centers = [new AlertCenter(store), new AlertCenter(new AlertStore(other, prefix))];
    const loops = [loop(centers[0]!, prefix, 'replica-a'), loop(centers[1]!, prefix, 'replica-b')];
    await waitFor('a leader', () => loops.some((l) => l.isLeader));

    // Both replicas see the breach on every evaluation: only the first raise starts an alert.
    const raised = await Promise.all([centers[0]!.raise(breach), centers[1]!.raise(breach), centers[0]!.raise(breach)]);
    expect(raised.filter(Boolean)).toHaveLength(1);
    await waitFor('the firing notification', () => hook.received.length >= 1);
    expect(await centers[1]!.raise(breach)).toBe(false);

    const active = await centers[1]!.list();
    expect(active.active).toHaveLength(1);
    expect(active.active[0]).toMatchObject({ key: breach.key, kind: 'slo', state: 'active', severity: 'critical' });

    expect(await centers[1]!.resolve(breach.key)).toBe(true);
    expect(await centers[0]!.resolve(breach.key)).toBe(false);
    await waitFor('the resolve and an empty outbox', async () => hook.received.length >= 2 && (await store.pendingCount()) === 0);

    expect(hook.received).toHaveLength(2);
    const bodies = hook.received.map((r) => JSON.parse(r.body) as { event: string; alert: { key: string; state: string; resolvedAt?: string } });
    expect(bodies.map((b) => b.event)).toEqual(['firing', 'resolved']);
    expect(bodies[1]!.alert).toMatchObject({ key: breach.key, state: 'resolved' });
    expect(bodies[1]!.alert.resolvedAt).toBeTruthy();
    for (const request of hook.received) {
      expect(verify(request, SECRET)).toBe(true);
      expect(verify(request, 'another-secret-of-some-length')).toBe(false);
      expect(verify({ ...request, body: request.body.replace('critical', 'info') }, SECRET)).toBe(false);
    }

    const after = await centers[0]!.list();
    expect(after.active).toHaveLength(0);
    expect(after.recent[0]).toMatchObject({ key: breach.key, state: 'resolved' });
    expect(after.recent[0]!.deliveries.map((d) => [d.event, d.status, d.attempts])).toEqual([['firing', 'delivered', 1], ['resolved', 'delivered', 1]]);

    // The condition comes back later: a new alert, a new notification.
    expect(await centers[0]!.raise(breach)).toBe(true);
    await waitFor('the second firing', () => hook.received.length === 3);
  });

  it('retries a receiver that answers 500 twice with growing delays, then delivers once', async () => {
    const prefix = statePrefix();
    const hook = await receiver([500, 500]);
    const store = new AlertStore(scratch.client, prefix);
    await store.setWebhooks({ webhooks: [{ url: hook.url, format: 'json', secret: SECRET }] });
    const center = new AlertCenter(store, { backoffBaseMs: 150 });
    loop(center, prefix, 'solo');
    await center.raise({ ...breach, key: 'slo:retry' });
    await waitFor('the delivery to succeed', async () => (await center.list()).active[0]?.deliveries[0]?.status === 'delivered', 10_000);
    expect(hook.received).toHaveLength(3);
    const ids = new Set(hook.received.map((r) => r.headers['x-triage-delivery']));
    expect(ids.size).toBe(1);
    expect(new Set(hook.received.map((r) => r.body)).size).toBe(1);
    expect(hook.received[1]!.at - hook.received[0]!.at).toBeGreaterThanOrEqual(140);
    expect(hook.received[2]!.at - hook.received[1]!.at).toBeGreaterThanOrEqual(290);
    for (const request of hook.received) expect(verify(request, SECRET)).toBe(true);
    const delivery = (await center.list()).active[0]!.deliveries[0]!;
    expect(delivery).toMatchObject({ attempts: 3, status: 'delivered', lastError: 'the receiver answered 500' });
  });

  it('gives up after the last attempt and shows it failed; a receiver down counts as a failure', async () => {
    const prefix = statePrefix();
    const hook = await receiver([500, 500, 500, 500]);
    const dead = await receiver();
    const deadUrl = dead.url;
    await dead.close();
    const store = new AlertStore(scratch.client, prefix);
    await store.setWebhooks({ webhooks: [{ url: hook.url, format: 'json' }, { url: deadUrl, format: 'slack' }] });
    const center = new AlertCenter(store, { backoffBaseMs: 20, maxAttempts: 3 });
    loop(center, prefix, 'solo');
    await center.raise({ ...breach, key: 'slo:gives-up' });
    await waitFor('both deliveries to fail for good', async () => (await center.list()).active[0]?.deliveries.every((d) => d.status === 'failed'), 10_000);
    expect(hook.received).toHaveLength(3);
    expect(await store.pendingCount()).toBe(0);
    const deliveries = (await center.list()).active[0]!.deliveries;
    expect(deliveries.map((d) => d.attempts)).toEqual([3, 3]);
    expect(deliveries[0]!.lastError).toBe('the receiver answered 500');
    expect(deliveries[1]!.lastError).toMatch(/ECONNREFUSED|fetch failed/);
    // Unsigned: no secret configured.
    expect(hook.received[0]!.headers['x-triage-signature']).toBeUndefined();
  });

  it('a replica that takes over the lease resumes the dead leader\'s retries, delivering once', async () => {
    const prefix = statePrefix();
    const hook = await receiver([500]);
    const store = new AlertStore(scratch.client, prefix);
    await store.setWebhooks({ webhooks: [{ url: hook.url, format: 'json' }] });
    const center = new AlertCenter(store, { backoffBaseMs: 300 });
    const first = loop(center, prefix, 'replica-a');
    await waitFor('replica-a to lead', () => first.isLeader);
    await center.raise({ ...breach, key: 'slo:handover' });
    await waitFor('the first attempt to fail', () => hook.received.length === 1);
    await first.stop();
    const second = loop(new AlertCenter(store, { backoffBaseMs: 300 }), prefix, 'replica-b');
    await waitFor('replica-b to lead', () => second.isLeader);
    await waitFor('the retry, from replica-b', async () => (await center.list()).active[0]?.deliveries[0]?.status === 'delivered', 10_000);
    expect(hook.received).toHaveLength(2);
    expect(hook.received[0]!.headers['x-triage-delivery']).toBe(hook.received[1]!.headers['x-triage-delivery']);
  });

  it('sends Slack-compatible bodies: text plus mrkdwn blocks', async () => {
    const prefix = statePrefix();
    const hook = await receiver();
    const store = new AlertStore(scratch.client, prefix);
    await store.setWebhooks({ webhooks: [{ url: hook.url, format: 'slack' }] });
    const center = new AlertCenter(store);
    loop(center, prefix, 'solo');
    await center.raise(breach);
    await center.resolve(breach.key);
    await waitFor('two Slack messages', () => hook.received.length === 2);
    const [firing, resolved] = hook.received.map((r) => JSON.parse(r.body) as { text: string; blocks: { type: string; text?: { type: string; text: string } }[] });
    expect(firing!.text).toContain('[CRITICAL] celery P0–2 waits 45 s (SLO 30 s)');
    expect(resolved!.text).toContain('[RESOLVED]');
    expect(firing!.blocks[0]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: firing!.text } });
    expect(firing!.blocks.map((b) => b.type)).toEqual(['section', 'context', 'section', 'context']);
    expect(firing!.blocks[2]!.text!.text).toContain('worstWaitSec: 45');
    expect(hook.received[0]!.headers['content-type']).toBe('application/json');
  });

  it('keeps a pending notification in the outbox across a restart', async () => {
    const prefix = statePrefix();
    const hook = await receiver();
    const store = new AlertStore(scratch.client, prefix);
    await store.setWebhooks({ webhooks: [{ url: hook.url, format: 'json' }] });
    // No loop runs: the process "dies" with the notification queued.
    await new AlertCenter(store).raise(breach);
    expect(await store.pendingCount()).toBe(1);
    const restarted = rawRedis();
    cleanups.push(async () => void (await restarted.quit()));
    const center = new AlertCenter(new AlertStore(restarted, prefix));
    loop(center, prefix, 'restarted');
    await waitFor('the queued notification', () => hook.received.length === 1);
    expect((JSON.parse(hook.received[0]!.body) as { event: string }).event).toBe('firing');
  });

  it('evaluates stale workers itself: one alert while a worker is silent, resolved when it heartbeats again', async () => {
    const prefix = statePrefix();
    const hook = await receiver();
    const store = new AlertStore(scratch.client, prefix);
    await store.setWebhooks({ webhooks: [{ url: hook.url, format: 'json' }] });
    const workers = new WorkerStore(scratch.client, prefix);
    const worker: WorkerRecord = {
      id: 'triage@test:1', hostname: 'test', pid: 1, broker: 'redis', queues: ['celery'], concurrency: 1, prefetch: 1, active: 0, processed: 0, failed: 0,
      paused: false, pausedQueues: [], state: 'online',
      startedAt: new Date(Date.now() - 600_000).toISOString(), lastHeartbeatAt: new Date(Date.now() - 120_000).toISOString(), heartbeatIntervalMs: 2000,
    };
    await workers.put(worker);
    const center = new AlertCenter(store);
    const started = startAlertLoop({
      center,
      lease: new LeaderLease(scratch.client, `${prefix}leader:alerts`, 'solo', 600),
      readSnapshot: async () => ({ health: { status: 'degraded', brokers: [{ id: 'rabbitmq', kind: 'rabbitmq', ok: false, latencyMs: null, error: 'ECONNREFUSED' }] }, queues: [] }),
      readWorkers: () => workers.list(),
      workerStaleSec: 60,
      deliverEveryMs: 30,
      evaluateEveryMs: 40,
    });
    cleanups.push(() => started.stop());
    await waitFor('both alerts delivered', () => hook.received.length === 2);
    const keys = (await center.list()).active.map((a) => a.key).sort();
    expect(keys).toEqual(['broker_down:rabbitmq', 'worker_stale:triage@test:1']);
    await workers.put({ ...worker, lastHeartbeatAt: new Date().toISOString() });
    await waitFor('the worker alert to resolve', async () => (await center.list()).active.length === 1);
    await waitFor('its resolve', () => hook.received.length === 3);
    const last = JSON.parse(hook.received[2]!.body) as { event: string; alert: { key: string } };
    expect(last).toMatchObject({ event: 'resolved', alert: { key: 'worker_stale:triage@test:1' } });
  });

  it('keeps a webhook secret when PUT omits it, removes it on null, and never shows it', async () => {
    const store = new AlertStore(scratch.client, statePrefix());
    await store.setWebhooks({ webhooks: [{ url: 'https://hooks.example.com/a', format: 'json', secret: SECRET }] });
    expect(await store.setWebhooks({ webhooks: [{ url: 'https://hooks.example.com/a', format: 'slack' }] })).toEqual({ webhooks: [{ url: 'https://hooks.example.com/a', format: 'slack', hasSecret: true }] });
    expect((await store.webhooks())[0]!.secret).toBe(SECRET);
    expect(JSON.stringify(await store.configView())).not.toContain(SECRET);
    await store.setWebhooks({ webhooks: [{ url: 'https://hooks.example.com/a', format: 'slack', secret: null }] });
    expect(await store.configView()).toEqual({ webhooks: [{ url: 'https://hooks.example.com/a', format: 'slack', hasSecret: false }] });
  });
});
