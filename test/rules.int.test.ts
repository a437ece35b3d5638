import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resetRuntime } from '@/lib/server/runtime';
import type { Rule, RulePreview } from '@/lib/shared/rules';
import type { AuditEntry } from '@/lib/state/audit';
import * as rulesRoute from '@/app/api/v1/rules/route';
import * as ruleRoute from '@/app/api/v1/rules/[id]/route';
import * as pauseRoute from '@/app/api/v1/rules/[id]/pause/route';
import * as auditRoute from '@/app/api/v1/audit/route';
import { AMQP_URL, MANAGEMENT_URL, REDIS_URL, deleteKeysLike, rawRedis, uniqueName, waitFor } from './support';
import { call, useConfig } from './api-client';
import { readRedis } from './control/helpers';
import { PYTHON, celery, produce, type ProbeEnv } from './celery/celery';

/**
 * Standing rules end to end: the API, and the rule loop run as its own process (as a
 * replica would run it) against a queue a real Celery producer floods.
 */

const REPORT = 'myapp.tasks.generate_report';
const OTP = 'myapp.tasks.send_otp';
const prefix = `${uniqueName('rules-state')}:`;
const queues: string[] = [];
let configFile: string;
let redis: Redis;
const children: ChildProcess[] = [];

function newQueue(label: string): string {
  const q = uniqueName(label);
  queues.push(q);
  return q;
}

const probe = (queue: string): ProbeEnv => ({ PROBE_BROKER_URL: REDIS_URL, PROBE_QUEUE: queue });
const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();

async function createRule(body: object) {
  return call<{ rule: Rule } & RulePreview & { error?: { message: string } }>(rulesRoute.POST, 'POST', '/api/v1/rules', {}, body);
}

async function listRules(): Promise<Rule[]> {
  return (await call<{ rules: Rule[] }>(rulesRoute.GET, 'GET', '/api/v1/rules')).body.rules;
}

/** The rule loop as a child process; resolves once it leads (or at once with `lead: false`). */
async function startLoop(options: { lead?: boolean } = {}): Promise<ChildProcess & { leading: boolean }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join('scripts', 'rule-loop.ts')], {
    env: { ...process.env, TRIAGE_CONFIG: configFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  }) as ChildProcess & { leading: boolean };
  child.leading = false;
  children.push(child);
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (line === 'leading') child.leading = true;
  });
  child.stderr!.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  if (options.lead !== false) await waitFor('the rule loop to take the lease', () => child.leading, 20_000);
  return child;
}

interface Sent {
  id: string;
  task: string;
  priority: number;
  at: number;
}

/** A real Celery producer sending `kinds` in turn at `rate` per second for `seconds`. */
function flood(queue: string, rate: number, seconds: number, kinds: [string, number][]): { sent: Sent[]; done: Promise<void> } {
  const child = spawn(PYTHON, [path.join('test', 'celery', 'flood.py'), String(rate), String(seconds), JSON.stringify(kinds)], {
    env: { ...process.env, ...probe(queue), PYTHONPATH: path.join(process.cwd(), 'test', 'celery'), PYTHONDONTWRITEBYTECODE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const sent: Sent[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => sent.push(JSON.parse(line) as Sent));
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<void>((resolve, reject) =>
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`flood exited ${code}: ${stderr}`)))),
  );
  return { sent, done };
}

/** Every waiting message's id → its own priority, read raw from kombu's lists. */
async function priorities(queue: string): Promise<Map<string, number | null>> {
  return new Map((await readRedis(redis, queue)).map((e) => [e.id, e.priority]));
}

beforeAll(async () => {
  configFile = useConfig({
    statePrefix: prefix,
    brokers: [
      { id: 'redis', kind: 'redis', url: REDIS_URL },
      { id: 'amqp-main', kind: 'rabbitmq', url: AMQP_URL, managementUrl: MANAGEMENT_URL },
    ],
  });
  redis = rawRedis();
});

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const rule of await listRules()) if (rule.state !== 'deleted') await call(ruleRoute.DELETE, 'DELETE', `/api/v1/rules/${rule.id}`, { id: rule.id });
});

afterAll(async () => {
  await resetRuntime();
  await deleteKeysLike(redis, prefix, ...queues);
  redis.disconnect();
});

describe.skipIf(!celery.ok)('standing rules', () => {
  it('previews, refuses what it cannot do (by capability, expiry, queue), pauses, deletes, and audits each change', async () => {
    const q = newQueue('rules-api');
    produce(probe(q), [1, 1, 1, 0], REPORT);
    const body = { broker: 'redis', queue: q, match: { task: 'generate_report', priorities: [1] }, action: { priority: 8 }, expiresAt: inSeconds(3600), note: 'incident 42' };

    const preview = await createRule({ ...body, dryRun: true });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ matchingNow: 3, matchingPerMin: expect.any(Number) });
    expect(await listRules()).toEqual([]);

    const bad = await Promise.all([
      createRule({ ...body, expiresAt: inSeconds(25 * 3600) }),
      createRule({ ...body, expiresAt: undefined }),
      createRule({ ...body, expiresAt: inSeconds(-5) }),
      createRule({ ...body, queue: uniqueName('rules-none') }),
      createRule({ ...body, broker: 'amqp-main' }),
      createRule({ ...body, action: { moveTo: { broker: 'amqp-main', queue: q } } }),
      createRule({ ...body, action: {} }),
    ]);
    expect(bad.map((r) => r.status)).toEqual([400, 400, 400, 404, 422, 422, 400]);
    expect(bad[0]!.body.error?.message).toMatch(/24 h/);
    // Named by capability, never by kind.
    expect(bad[4]!.body.error?.message).toMatch(/"arrivals"/);
    expect(bad[4]!.body.error?.message).not.toMatch(/rabbit/i);
    expect(await listRules()).toEqual([]);

    const made = await createRule(body);
    expect(made.status).toBe(201);
    const id = made.body.rule.id;
    expect(made.body.rule).toMatchObject({ state: 'active', applied: 0, lastAppliedAt: null, note: 'incident 42', match: body.match, action: body.action });

    expect((await call<{ rule: Rule }>(pauseRoute.POST, 'POST', `/api/v1/rules/${id}/pause`, { id })).body.rule.state).toBe('paused');
    expect((await call<{ rule: Rule }>(pauseRoute.POST, 'POST', `/api/v1/rules/${id}/pause`, { id }, { paused: false })).body.rule.state).toBe('active');
    expect((await call<{ rule: Rule }>(ruleRoute.DELETE, 'DELETE', `/api/v1/rules/${id}`, { id })).body.rule.state).toBe('deleted');
    expect((await call(ruleRoute.DELETE, 'DELETE', `/api/v1/rules/${id}`, { id })).status).toBe(404);
    expect((await listRules()).map((r) => [r.id, r.state])).toEqual([[id, 'deleted']]);

    const audit = await call<{ entries: AuditEntry[] }>(auditRoute.GET, 'GET', `/api/v1/audit?queue=${q}`);
    expect(audit.body.entries.map((e) => e.action).reverse()).toEqual(['rule.create', 'rule.pause', 'rule.resume', 'rule.delete']);
  });

  it('a real Celery flood of generate_report at P1: every one arriving while the rule is active ends at P8 within 2 s; the backlog, the OTPs at P0 and the ones after expiry are untouched; the rule expires on time', async () => {
    const q = newQueue('rules-flood');
    const witness = newQueue('rules-witness');
    const backlog = produce(probe(q), [1, 1], REPORT);
    produce(probe(witness), [5], REPORT);
    await startLoop();
    const expiresAt = inSeconds(7);
    const made = await createRule({ broker: 'redis', queue: q, match: { task: 'generate_report', priorities: [1] }, action: { priority: 8 }, expiresAt });
    expect(made.status).toBe(201);
    await createRule({ broker: 'redis', queue: witness, match: { task: 'generate_report' }, action: { priority: 9 }, expiresAt: inSeconds(600) });

    const { sent, done } = flood(q, 100, 4, [[REPORT, 1], [REPORT, 1], [OTP, 0]]);
    const reachedP8 = new Map<string, number>();
    const watch = async () => {
      for (const [id, p] of await priorities(q)) if (p === 8 && !reachedP8.has(id)) reachedP8.set(id, Date.now());
    };
    let flooding = true;
    void done.finally(() => (flooding = false));
    await waitFor('the flood to end', async () => (await watch(), !flooding), 30_000);
    await done;
    const reports = sent.filter((s) => s.task === REPORT);
    await waitFor('every report at P8', async () => (await watch(), reports.every((s) => reachedP8.has(s.id))), 10_000);

    const lags = reports.map((s) => reachedP8.get(s.id)! - s.at);
    expect(Math.max(...lags)).toBeLessThanOrEqual(2000);
    const now = await priorities(q);
    expect(sent.filter((s) => s.task === OTP).map((s) => now.get(s.id))).toEqual(sent.filter((s) => s.task === OTP).map(() => 0));
    expect(backlog.map((id) => now.get(id))).toEqual([1, 1]);
    expect(now.size).toBe(sent.length + backlog.length);

    // Expiry: listed as expired from expiresAt on, audited by the loop once, with its count.
    await waitFor('the rule to expire', async () => (await listRules()).find((r) => r.id === made.body.rule.id)?.state === 'expired', 10_000);
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(expiresAt));
    const expired = await waitFor('the expiry audited', async () => {
      const entries = (await call<{ entries: AuditEntry[] }>(auditRoute.GET, 'GET', `/api/v1/audit?queue=${q}&action=rule.expire`)).body.entries;
      return entries.length === 1 ? entries[0] : null;
    });
    expect(expired.result).toMatchObject({ applied: reports.length });
    expect(Date.parse(expired.at) - Date.parse(expiresAt)).toBeLessThan(2000);
    const late = produce(probe(q), [1], REPORT);
    // The witness rule on another queue proves a later tick ran.
    const tick = produce(probe(witness), [5], REPORT);
    await waitFor('a later tick', async () => (await priorities(witness)).get(tick[0]!) === 9, 5000);
    expect((await priorities(q)).get(late[0]!)).toBe(1);
  }, 60_000);

  it('two loops (two leaderships), the leader killed with SIGKILL mid-flood: the other takes over; no message lost or duplicated, each applied once', async () => {
    const q = newQueue('rules-kill');
    const seed = produce(probe(q), [0], OTP);
    const first = await startLoop();
    const second = await startLoop({ lead: false });
    const made = await createRule({ broker: 'redis', queue: q, match: { text: 'digest' }, action: { priority: 8 }, expiresAt: inSeconds(600) });
    const id = made.body.rule.id;
    const { sent, done } = flood(q, 150, 6, [[REPORT, 1]]);
    await waitFor('the rule to act', async () => ((await listRules()).find((r) => r.id === id)?.applied ?? 0) > 50, 10_000);
    const [leader, other] = first.leading ? [first, second] : [second, first];
    expect(other.leading).toBe(false);
    leader.kill('SIGKILL');
    await waitFor('the other loop to take over', () => other.leading, 15_000);
    await done;
    // Messages with kwargs template=digest (every other one) go to P8, the rest stay at P1.
    const digest = sent.filter((_, i) => i % 2 === 1);
    await waitFor('every digest report at P8 after the takeover', async () => {
      const now = await priorities(q);
      return digest.every((s) => now.get(s.id) === 8);
    }, 15_000);
    const entries = await readRedis(redis, q);
    expect(entries.map((e) => e.id).sort()).toEqual([...seed, ...sent.map((s) => s.id)].sort());
    expect(entries.filter((e) => e.priority === 8).map((e) => e.id).sort()).toEqual(digest.map((s) => s.id).sort());
    expect((await listRules()).find((r) => r.id === id)?.applied).toBe(digest.length);
  }, 60_000);
});
