import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PYTHON, celery, produce } from '@/test/celery/celery';
import { REDIS_URL, uniqueName, waitFor } from '@/test/support';
import { WorkerHarness, exited, fifoWithinLevel, inversions, shuffled } from './test-harness';
import { kombuInFlightKeys, redisTarget } from '@/test/contract/redis-target';

/**
 * The bundled worker next to real Celery 5.2 / kombu 5.2.4 on Redis: it runs what a Celery
 * producer sends, in priority order; kombu's own in-flight entries are restored by Triage
 * (at their own priority), and Triage's are restored by kombu's `restore_visible`, the
 * code a Celery worker runs. kombu runs with the test's own unacked key names, so nothing
 * else on the server is touched.
 */
let harness: WorkerHarness | null = null;
afterEach(async () => {
  await harness?.cleanup();
  harness = null;
});

function setup(): { h: WorkerHarness; q: string } {
  const q = uniqueName('w-celery');
  harness = new WorkerHarness(redisTarget, { queues: [{ name: q }] });
  return { h: harness, q };
}

/** Runs kombu code with the app of test/celery/triage_probe.py and this harness's unacked keys. */
function kombu(h: WorkerHarness, q: string, code: string): string {
  const prelude = [
    'import os, sys, json',
    'from triage_probe import app',
    `app.conf.broker_transport_options.update(unacked_key=${JSON.stringify(kombuInFlightKeys(h.id).unacked)}, unacked_index_key=${JSON.stringify(kombuInFlightKeys(h.id).index)}, unacked_mutex_key=${JSON.stringify(kombuInFlightKeys(h.id).mutex)}, visibility_timeout=1)`,
    'conn = app.connection()',
    'ch = conn.default_channel',
  ].join('\n');
  const run = spawnSync(PYTHON, ['-c', `${prelude}\n${code}`], {
    env: { ...process.env, PROBE_BROKER_URL: REDIS_URL, PROBE_QUEUE: q, PYTHONPATH: path.join(process.cwd(), 'test', 'celery'), PYTHONDONTWRITEBYTECODE: '1' },
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`kombu snippet failed: ${run.stderr}`);
  return run.stdout.trim();
}

describe.skipIf(!celery.ok)(`worker with real Celery on Redis (${celery.reason})`, () => {
  it('runs tasks a Celery producer sent, in strict priority order', async () => {
    const { h, q } = setup();
    await h.pauses.pause('redis', q, 'test');
    await h.spawnWorker({ queues: [q], concurrency: 1 });
    const priorities = shuffled(Array.from({ length: 40 }, (_, i) => i % 10), 7);
    const ids = produce({ PROBE_BROKER_URL: REDIS_URL, PROBE_QUEUE: q }, priorities, 'triage.tasks.noop');
    await h.pauses.resume('redis', q);
    await waitFor('40 tasks succeeded', async () => (await h.taskEvents('task.succeeded', q)).length === 40);
    const started = await h.taskEvents('task.started', q);
    // Events carry each task's own (Celery) priority; default steps store 0-2 → 0, 3-5 → 3, 6-8 → 6, 9 → 9 (celery-wire.md §2.2).
    expect(started.map((e) => e.priority).sort()).toEqual([...priorities].sort());
    const levels = started.map((e) => [0, 3, 6, 9].filter((s) => s <= e.priority!).pop()!);
    const seqOf = new Map(ids.map((id, seq) => [id, seq]));
    expect(inversions(levels)).toBe(0);
    expect(new Set(levels)).toEqual(new Set([0, 3, 6, 9]));
    expect(fifoWithinLevel(levels, started.map((e) => seqOf.get(e.taskId!)!))).toBe(true);
  });

  it('restores an in-flight message kombu took (and lost) at its own priority, and runs it', async () => {
    const { h, q } = setup();
    const [id] = produce({ PROBE_BROKER_URL: REDIS_URL, PROBE_QUEUE: q }, [9], 'triage.tasks.noop');
    // kombu takes it without acking and the process dies: kombu's QoS wrote the unacked entry.
    const tag = kombu(h, q, `m = ch.basic_get(${JSON.stringify(q)}, no_ack=False)\nprint(m.delivery_tag)\nsys.stdout.flush()\nos._exit(0)`);
    expect(await h.state.hexists(kombuInFlightKeys(h.id).unacked, tag)).toBe(1);
    expect(await h.state.llen(`${q}\x06\x169`)).toBe(0);
    await h.spawnWorker({ queues: [q], concurrency: 1 });
    await waitFor('the restored task ran', async () => (await h.taskEvents('task.succeeded', q)).some((e) => e.taskId === id), 20_000);
    const [started] = (await h.taskEvents('task.started', q)).filter((e) => e.taskId === id);
    expect(started?.priority).toBe(9); // not 0, where kombu < 5.4 would have put it
    expect(await h.state.hlen(kombuInFlightKeys(h.id).unacked)).toBe(0);
  });

  it('leaves in-flight bookkeeping kombu’s restore_visible understands', async () => {
    const { h, q } = setup();
    const broker = await h.broker();
    const ids = await broker.enqueue(q, Array.from({ length: 3 }, () => ({ priority: 6, spec: { task: 'triage.tasks.sleep', args: [5000] } })));
    const child = await h.spawnWorker({ queues: [q], concurrency: 3 });
    await waitFor('3 in flight', async () => (await h.state.hlen(kombuInFlightKeys(h.id).unacked)) === 3);
    child.kill('SIGKILL');
    await exited(child);
    // kombu restores entries its index dates more than visibility_timeout (1 s in the snippet) ago.
    await waitFor('the visibility timeout to lapse for every in-flight entry', async () => {
      const [sec, usec] = await h.state.time();
      const now = Number(sec) + Number(usec) / 1e6;
      const dated = (await h.state.zrange(kombuInFlightKeys(h.id).index, '0', '-1', 'WITHSCORES')).filter((_, i) => i % 2 === 1).map(Number);
      return dated.length === 3 && dated.every((at) => at < now - 1);
    });
    kombu(h, q, 'ch.qos.restore_visible(num=100)');
    expect(await h.state.hlen(kombuInFlightKeys(h.id).unacked)).toBe(0);
    // kombu 5.2.4 restores onto the bare queue key (step 0): its known bug, but nothing is lost.
    const restored = (await h.state.lrange(q, 0, -1)).map((p) => JSON.parse(p) as { headers: { id: string; redelivered: boolean } });
    expect(restored.map((m) => m.headers.id).sort()).toEqual([...ids].sort());
    expect(restored.every((m) => m.headers.redelivered)).toBe(true);
  });
});
