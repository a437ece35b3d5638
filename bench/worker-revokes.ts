/**
 * `npm run bench -- worker-revokes`: what revoke checks cost the bundled worker (issue 19:
 * "throughput drops by ≤ 10% with revoke checks enabled"). The same no-op tasks end to end
 * (as worker-redis / worker-rabbitmq: take, decode, validate, run, task record + events,
 * ack) twice per round: with the worker's RevokeWatch (loaded from the RevokeStore, which
 * holds BENCH_REVOKED other revoked ids, kept current over the worker's subscriber
 * connection; every delivery checked and every run tracked for a terminate) and without
 * any revoke check, which is the baseline, alternating every 2,000 tasks (see CHUNKS).
 *
 * Env: BENCH_TASKS (default 20000 per run), BENCH_REVOKED (default 10000), BENCH_CONCURRENCY
 * (default 100; e.g. `1,100`), BENCH_RUNS (default 3), BENCH_WARMUP (unmeasured rounds
 * first, default 1), REDIS_URL, AMQP_URL.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Subscriber } from '@/lib/redis/subscriber';
import { RevokeStore } from '@/lib/state/revokes';
import { RevokeWatch } from '@/lib/worker/revokes';
import { REDIS_URL, Rounds, benchIds, cleanup, figure, openBroker, triageRun, writeResults, type Figure } from './worker-common';

const TASKS = Number(process.env.BENCH_TASKS ?? 20000);
const REVOKED = Number(process.env.BENCH_REVOKED ?? 10000);
// This machine's load swings twofold within a minute: the two variants alternate every
// TASKS / CHUNKS tasks rather than every TASKS, and each rate is their total over the round.
const CHUNKS = 10;
const KINDS = ['redis', 'rabbitmq'] as const;
// Concurrency 100 is where the per-task cost shows most (at 1 the round trips dominate); on
// this shared machine a run at concurrency 1 of 20,000 tasks takes minutes.
const CONCURRENCIES = (process.env.BENCH_CONCURRENCY ?? '100').split(',').map(Number);

export async function main(): Promise<void> {
  const ids = benchIds('worker-revokes');
  const state = new Redis(REDIS_URL);
  const subscriber = new Subscriber(REDIS_URL, 'bench:revokes-subscriber');
  const store = new RevokeStore(state, ids.config.statePrefix);
  for (let i = 0; i < REVOKED; i += 1000) await store.revoke(Array.from({ length: Math.min(1000, REVOKED - i) }, () => randomUUID()));
  const watch = new RevokeWatch(store, subscriber);
  await watch.start();
  const figures: Figure[] = [];
  const samples: Record<string, Record<string, number[]>> = {};
  try {
    for (const kind of KINDS) {
      const broker = await openBroker(ids, kind);
      if (!broker) continue;
      const rounds = new Rounds();
      try {
        for (const round of rounds) {
          for (const concurrency of CONCURRENCIES) {
            // Interleaved in chunks, so both see the same load of the shared machine.
            const seconds = { on: 0, off: 0 };
            for (let chunk = 0; chunk < CHUNKS; chunk++) {
              const order = (chunk + round.index) % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const);
              for (const which of order) {
                const perSec = await triageRun(broker, ids, state, concurrency, TASKS / CHUNKS, undefined, true, which === 'on' ? watch : undefined);
                seconds[which] += TASKS / CHUNKS / perSec;
              }
            }
            round.add(`off-c${concurrency}`, TASKS / seconds.off);
            round.add(`on-c${concurrency}`, TASKS / seconds.on);
          }
        }
      } finally {
        await broker.close().catch(() => {});
      }
      samples[kind] = rounds.samples;
      for (const concurrency of CONCURRENCIES) {
        figures.push(
          figure(
            { figure: `${kind}, concurrency ${concurrency}, revoke checks on`, baseline: 'the same, revoke checks off', target: '≥ 0.90' },
            rounds.get(`on-c${concurrency}`),
            rounds.get(`off-c${concurrency}`),
          ),
        );
      }
    }
  } finally {
    await watch.close();
    subscriber.close();
    state.disconnect();
    await cleanup(ids);
  }
  writeResults(
    'worker-revokes',
    'Worker throughput with and without revoke checks',
    [
      `${TASKS} no-op tasks per run, the same pipeline as worker-redis / worker-rabbitmq. On: the worker's RevokeWatch, holding ${REVOKED} revoked ids (none of them the bench's), checks every delivery and tracks every run for a terminate; off: no revoke check at all. The two alternate every ${TASKS / CHUNKS} tasks; each rate is a variant's tasks over its total time in the round.`,
    ],
    figures,
    { tasks: TASKS, revoked: REVOKED, samples },
  );
}
