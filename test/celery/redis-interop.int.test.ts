import { afterAll, describe, expect, it } from 'vitest';
import { resetRuntime } from '@/lib/server/runtime';
import { ALL_STEPS, KOMBU_DEFAULT_SEP, stepFor } from '@/lib/shared/priority';
import { useConfig } from '../api-client';
import { REDIS_URL, scratchRedis, uniqueName } from '../support';
import { celery, produce, type ProbeEnv } from './celery';
import { apiBrowse, apiEnqueue, apiQueue, logFile, runCeleryWorker } from './interop-harness';

/** The publish order celery-wire.md §6 recorded real worker orders for. */
const SENT: (number | null)[] = [5, 0, 9, 3, null, 7, 1, 8, 2, 6, 4];

const layouts = [
  { label: "kombu's default steps", steps: [0, 3, 6, 9], sep: KOMBU_DEFAULT_SEP, prefix: '' },
  { label: "ten steps with sep ':'", steps: [...ALL_STEPS], sep: ':', prefix: '' },
  { label: 'a global_keyprefix', steps: [0, 3, 6, 9], sep: KOMBU_DEFAULT_SEP, prefix: `${uniqueName('pfx')}:` },
];

/**
 * Workers with sep ':' get a Redis DB of their own. kombu splits every member of a remote-control
 * binding set (`_kombu.binding.reply.celery.pidbox`) with its own sep, so the reply bindings that
 * default-sep clients on the same DB leave there (other tests' `celery inspect`, Triage's
 * diagnostics) make such a worker's replies fail; in a CI run the worker then ran 1 of its 11
 * tasks and took no more. Pub/sub and bindings are per DB (the channel name carries it).
 */
const OWN_DB_URL = (() => {
  const url = new URL(REDIS_URL);
  url.pathname = `/${Number(url.pathname.slice(1) || 0) + 1}`;
  return url.toString();
})();
const urlFor = (sep: string) => (sep === KOMBU_DEFAULT_SEP ? REDIS_URL : OWN_DB_URL);

const scratch = scratchRedis();
const cleanup = scratch.names;
const ownDb = scratchRedis(OWN_DB_URL);

afterAll(async () => {
  await resetRuntime();
  await scratch.done();
  await ownDb.done();
  delete process.env.TRIAGE_CONFIG;
});

/** Expected: stable sort by the step each priority lands in (none counts as 0, as kombu does). */
function expectedOrder(ids: string[], sent: (number | null)[], steps: number[]): string[] {
  return ids
    .map((id, i) => ({ id, i, step: stepFor(sent[i] ?? 0, steps) }))
    .sort((a, b) => a.step - b.step || a.i - b.i)
    .map((x) => x.id);
}

describe.skipIf(!celery.ok)(`Triage with real Celery on Redis (${celery.reason})`, () => {
  for (const layout of layouts) {
    it(`Celery-produced tasks: Triage's counts and order match what a Celery worker runs, with ${layout.label}`, async () => {
      const queue = uniqueName('cel');
      const url = urlFor(layout.sep);
      (url === REDIS_URL ? cleanup : ownDb.names).push(queue);
      if (layout.prefix) cleanup.push(layout.prefix);
      await resetRuntime();
      useConfig({ brokers: [{ id: 'redis', kind: 'redis', url, steps: layout.steps, sep: layout.sep, globalKeyprefix: layout.prefix }] });
      const probe: ProbeEnv = {
        PROBE_BROKER_URL: url,
        PROBE_QUEUE: queue,
        PROBE_STEPS: JSON.stringify(layout.steps),
        PROBE_SEP: layout.sep,
        PROBE_PREFIX: layout.prefix,
        PROBE_LOG: logFile(),
      };
      const ids = produce(probe, SENT);

      const listed = await apiQueue('redis', queue);
      expect(listed, 'the Celery queue is discovered').toBeDefined();
      const expectedCounts: Record<string, number> = Object.fromEntries(ALL_STEPS.map((p) => [String(p), 0]));
      for (const p of SENT) expectedCounts[String(stepFor(p ?? 0, layout.steps))]! += 1;
      expect(listed!.byPriority).toEqual(expectedCounts);
      expect(listed!.depth).toBe(SENT.length);

      const page = await apiBrowse('redis', queue);
      const browsed = page.messages.map((m) => m.id);
      expect(browsed).toEqual(expectedOrder(ids, SENT, layout.steps));
      expect(page.messages.every((m) => m.task === 'probe.work' && !m.decodeError)).toBe(true);

      const ran = await runCeleryWorker(probe, SENT.length);
      expect(ran.map((e) => e.id)).toEqual(browsed);
    });
  }

  it('tasks enqueued through the API run on a real Celery worker in Triage priority order, args intact', async () => {
    const queue = uniqueName('api-cel');
    ownDb.names.push(queue);
    await resetRuntime();
    useConfig({ brokers: [{ id: 'redis', kind: 'redis', url: OWN_DB_URL, queues: [{ name: queue, steps: [...ALL_STEPS], sep: ':' }] }] });
    const priorities = [9, 0, 5, 3, 7, 1, 8, 2, 6, 4, 0, 9];
    const ids: string[] = [];
    for (const [i, priority] of priorities.entries()) {
      ids.push(...(await apiEnqueue('redis', queue, { task: 'myapp.tasks.send_email', args: [i, `to-${i}@example.com`], kwargs: { n: i, nested: { ok: true } }, priority })));
    }
    const probe: ProbeEnv = { PROBE_BROKER_URL: OWN_DB_URL, PROBE_QUEUE: queue, PROBE_STEPS: JSON.stringify(ALL_STEPS), PROBE_SEP: ':', PROBE_LOG: logFile() };
    const ran = await runCeleryWorker(probe, priorities.length);
    const expected = ids.map((id, i) => ({ id, i, p: priorities[i]! })).sort((a, b) => a.p - b.p || a.i - b.i);
    expect(ran.map((e) => e.id)).toEqual(expected.map((x) => x.id));
    for (const e of ran) {
      const i = ids.indexOf(e.id);
      expect(e.task).toBe('myapp.tasks.send_email');
      expect(e.args).toEqual([i, `to-${i}@example.com`]);
      expect(e.kwargs).toEqual({ n: i, nested: { ok: true } });
    }
  });
});
