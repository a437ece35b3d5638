import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import * as slosRoute from '@/app/api/v1/slos/route';
import * as auditRoute from '@/app/api/v1/audit/route';
import * as metricsRoute from '@/app/metrics/route';
import { authStore } from '@/lib/server/auth';
import { resetRuntime, runtime } from '@/lib/server/runtime';
import { getSampler, stopSampler } from '@/lib/server/sampler';
import { SloEvaluator } from '@/lib/server/slo-evaluator';
import { sloDefinitions } from '@/lib/server/slos';
import { createToken } from '@/lib/server/tokens';
import type { Slo, SloTransition, SlosPayload } from '@/lib/shared/slos';
import { holdLeadership } from '@/lib/state/leader-lease';
import { fillRedis } from './control/helpers';
import { call, useConfig } from './api-client';
import { REDIS_URL, deleteKeysLike, rawRedis, uniqueName, waitFor } from './support';

const prefix = `${uniqueName('slo-state')}:`;
const queue = uniqueName('slo');
let redis: Redis;
let viewer: string;

const getSlos = (headers: Record<string, string> = {}) => call<SlosPayload>(slosRoute.GET, 'GET', '/api/v1/slos', {}, undefined, headers);
const putSlos = (body: unknown, headers: Record<string, string> = {}) => call<SlosPayload & { error?: { message: string; details?: unknown } }>(slosRoute.PUT, 'PUT', '/api/v1/slos', {}, body, headers);

beforeAll(async () => {
  useConfig({
    brokers: [{ id: 'redis', kind: 'redis', url: REDIS_URL, queues: [{ name: queue }], discover: false }],
    statePrefix: prefix,
    slos: [{ id: 'cfg-high', broker: 'redis', queue, band: 'high', maxWaitSec: 2 }],
    sloIntervalSec: 1,
  });
  redis = rawRedis();
  viewer = (await createToken(await authStore(), { name: 'slo-viewer', role: 'viewer' })).token;
});

afterAll(async () => {
  stopSampler();
  await resetRuntime();
  await deleteKeysLike(redis, prefix, queue);
  await redis.quit();
  delete process.env.TRIAGE_CONFIG;
});

describe('GET/PUT /api/v1/slos', () => {
  it('lists the config file SLOs as read-only; admins replace the edited ones, audited; bad input is a 400 that changes nothing', async () => {
    const first = await getSlos({ authorization: `Bearer ${viewer}` });
    expect(first.status).toBe(200);
    expect(first.body.slos).toEqual([{ id: 'cfg-high', broker: 'redis', queue, band: 'high', maxWaitSec: 2, source: 'config' }]);

    const edited = { id: 'edited-low', broker: 'redis', queue: `${queue}*`, priorities: [6, 7, 8, 9], maxWaitSec: 3600 };
    const denied = await putSlos({ slos: [edited] }, { authorization: `Bearer ${viewer}` });
    expect(denied.status).toBe(403);

    const bad: [unknown, RegExp][] = [
      [{ slos: [{ ...edited, band: 'low' }] }, /either a band or a list of priorities/],
      [{ slos: [{ ...edited, maxWaitSec: -5 }] }, /at least 1 second/],
      [{ slos: [edited, edited] }, /used more than once/],
      [{ slos: [{ ...edited, id: 'cfg-high' }] }, /cfg-high comes from the config file and is read-only/],
      [{ slos: [{ ...edited, broker: 'nope' }] }, /names broker "nope"; configured: redis/],
      [{ items: [] }, /slos/],
    ];
    for (const [body, message] of bad) {
      const res = await putSlos(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(`${res.body.error?.message} ${JSON.stringify(res.body.error?.details)}`).toMatch(message);
    }
    expect((await getSlos()).body.slos).toHaveLength(1);

    const ok = await putSlos({ slos: [edited] });
    expect(ok.status).toBe(200);
    expect(ok.body.slos.map((s) => [s.id, s.source])).toEqual([['cfg-high', 'config'], ['edited-low', 'edited']]);
    expect((await getSlos()).body.slos[1]).toEqual({ ...edited, source: 'edited' });

    const audit = await call<{ entries: { action: string; actor: string; params: { slos: { id: string }[] }; result: { count: number } }[] }>(auditRoute.GET, 'GET', '/api/v1/audit?action=slo.replace');
    expect(audit.body.entries[0]).toMatchObject({ action: 'slo.replace', params: { slos: [{ id: 'edited-low' }] }, result: { count: 1 } });

    expect((await putSlos({ slos: [] })).body.slos).toHaveLength(1);
  });
});

describe('SLO evaluation', () => {
  it('runs once per interval across two replicas, keeps a breach\'s since, and recovers with a new since', async () => {
    const rt = runtime();
    const sampler = await getSampler();
    const intervalMs = 250;
    const loop = uniqueName('slo-loop');
    const replicas = ['a', 'b'].map((name) => {
      const leadership = holdLeadership(rt.state.leaderLease(loop, name, 1_500));
      const evaluator = new SloEvaluator({
        store: rt.state.slos,
        leadership,
        definitions: () => sloDefinitions(rt),
        snapshot: (maxAgeMs) => sampler.snapshot(maxAgeMs),
        intervalMs,
        logger: rt.logger,
      });
      const heard: SloTransition[] = [];
      evaluator.onTransition((t) => heard.push(t));
      evaluator.start();
      return { leadership, evaluator, heard };
    });
    const stateOf = async () => (await rt.state.slos.states()).find((s) => s.sloId === 'cfg-high' && s.queue === queue);
    try {
      const startedAt = Date.now();
      await fillRedis(redis, queue, [0, 1, 9]);
      const breached = await waitFor('the P0 backlog to breach its 2 s SLO', async () => {
        const s = await stateOf();
        return s?.state === 'breached' ? s : null;
      }, 20_000);
      expect(breached.worstWaitSec).toBeGreaterThan(2);
      expect(breached.high).toBe(true);

      // A breach keeps its since while it lasts.
      const evaluations = () => replicas.reduce((n, r) => n + r.evaluator.stats.evaluations, 0);
      const before = evaluations();
      await waitFor('three more evaluations', () => evaluations() >= before + 3, 10_000);
      const later = (await stateOf())!;
      expect(later.state).toBe('breached');
      expect(later.since).toBe(breached.since);
      // Ages are whole seconds on Redis.
      expect(later.worstWaitSec!).toBeGreaterThanOrEqual(breached.worstWaitSec!);

      // One replica evaluated, once per interval.
      const counts = replicas.map((r) => r.evaluator.stats.evaluations).sort((x, y) => x - y);
      expect(counts[0]).toBe(0);
      expect(counts[1]).toBeLessThanOrEqual(Math.ceil((Date.now() - startedAt) / intervalMs) + 1);

      const metrics = await (await metricsRoute.GET(new Request('http://localhost/metrics', { headers: { authorization: `Bearer ${process.env.TRIAGE_ADMIN_TOKEN}` } }))).text();
      expect(metrics).toContain(`triage_slo_state{slo="cfg-high",broker="redis",queue="${queue}",band="high"} 2`);
      expect(metrics).toMatch(new RegExp(`triage_slo_worst_wait_seconds\\{slo="cfg-high",broker="redis",queue="${queue}",band="high"\\} \\d`));

      // Recovery: the urgent work is gone (the P9 task stays, outside this SLO).
      await redis.del(queue);
      const recovered = await waitFor('the SLO to recover', async () => {
        const s = await stateOf();
        return s?.state === 'ok' ? s : null;
      }, 10_000);
      expect(Date.parse(recovered.since)).toBeGreaterThan(Date.parse(breached.since));

      const mine = (await rt.state.slos.transitions()).filter((t) => t.sloId === 'cfg-high' && t.queue === queue);
      const path = mine.map((t) => `${t.from}>${t.to}`);
      expect(path[path.length - 1]).toBe('breached>ok');
      expect(path.filter((p) => p.endsWith('>breached'))).toHaveLength(1);
      expect(['null>at_risk,at_risk>breached,breached>ok', 'ok>at_risk,at_risk>breached,breached>ok', 'null>breached,breached>ok', 'ok>breached,breached>ok', 'null>at_risk,at_risk>breached,breached>ok']).toContain(path.join(','));
      // The hook heard exactly what the stream holds, from the one replica that evaluated.
      const heard = replicas.flatMap((r) => r.heard).filter((t) => t.sloId === 'cfg-high' && t.queue === queue);
      expect(heard.map((t) => `${t.from}>${t.to}`)).toEqual(path);
    } finally {
      for (const r of replicas) {
        r.evaluator.stop();
        await r.leadership.stop();
      }
    }
  });

  it('keeps the states of a broker that does not answer, and drops those of a removed SLO', async () => {
    const rt = runtime();
    const evaluator = (definitions: () => Promise<readonly Slo[]>, unavailable: { broker: string }[]) =>
      new SloEvaluator({ store: rt.state.slos, leadership: { isLeader: true }, definitions, snapshot: async () => ({ queues: [], unavailable }), intervalMs: 1_000, logger: rt.logger });
    const before = await rt.state.slos.states();
    expect(before.some((s) => s.sloId === 'cfg-high')).toBe(true);
    expect(await evaluator(() => sloDefinitions(rt), [{ broker: 'redis' }]).evaluateOnce()).toEqual([]);
    expect(await rt.state.slos.states()).toEqual(before);
    await evaluator(async () => [], []).evaluateOnce();
    expect(await rt.state.slos.states()).toEqual([]);
  });
});
