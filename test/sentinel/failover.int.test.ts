import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBroker } from '@/lib/brokers/registry';
import { RedisBrokerConfigSchema } from '@/lib/brokers/redis/config';
import type { QueueBroker } from '@/lib/brokers/types';
import { WorkerHarness } from '@/lib/worker/test-harness';
import { archiveSelection } from '@/lib/control/purge';
import { transfer } from '@/lib/control/transfer';
import { TriageConfigSchema } from '@/lib/config/schema';
import { startClient } from '@/lib/redis/connection';
import { connectStateRedis } from '@/lib/state/connect';
import { createTriageState } from '@/lib/state/triage-state';
import { TARGETS } from '@/test/contract/targets';
import { REDIS_URL, scratchRedis, uniqueName, waitFor } from '@/test/support';
import { SentinelGroup, sentinelAvailable, sentinelSkipReason } from './sentinel-group';

/**
 * Redis behind Sentinel, as Celery deployments run it: Triage's broker adapter and its worker
 * reach the master through kombu's `sentinel://` URL and follow a failover (the master
 * SIGKILLed mid-enqueue, mid-drain, mid-worker-run). Replication is asynchronous, so a write
 * acknowledged just before the kill may not have reached the replica: each test counts what
 * was acknowledged and not found afterwards, and fails unless every such write falls inside
 * the replication window measured here (acknowledged within 1 s of the kill).
 */
const RECOVERY_LIMIT_MS = 15_000;
const REPLICATION_WINDOW_MS = 1_000;

describe.skipIf(!sentinelAvailable)(`Redis Sentinel failover${sentinelAvailable ? '' : ` (${sentinelSkipReason})`}`, () => {
  const group = new SentinelGroup();
  const brokers: QueueBroker[] = [];

  beforeAll(async () => {
    await group.start();
  }, 60_000);
  beforeEach(async () => {
    await group.heal();
  }, 60_000);
  afterAll(async () => {
    await Promise.all(brokers.map((b) => b.close().catch(() => {})));
    await group.stop();
  });

  /** The broker as a Celery user configures it: kombu's sentinel URL, master_name apart. */
  async function connect(...queues: string[]): Promise<QueueBroker> {
    const url = group.url.replace(/\?master_name=.*$/, '');
    const config = RedisBrokerConfigSchema.parse({ id: 'redis', kind: 'redis', url, masterName: group.masterName, queues: queues.map((name) => ({ name })) });
    const broker = createBroker(config);
    brokers.push(broker);
    await broker.connect();
    return broker;
  }

  async function allIds(broker: QueueBroker, queue: string): Promise<Map<string, number>> {
    const seen = new Map<string, number>();
    let cursor: string | undefined;
    do {
      const page = await broker.browse(queue, { limit: 500, cursor });
      for (const m of page.messages) seen.set(m.id, (seen.get(m.id) ?? 0) + 1);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return seen;
  }

  it('an enqueue loop follows the master within 15 s, losing nothing acknowledged outside the replication window', async () => {
    const queue = uniqueName('sentinel-enq');
    const broker = await connect(queue);
    const acked: { id: string; at: number }[] = [];
    let failures = 0;
    let killedAt = 0;
    let recoveredAt = 0;
    let seq = 0;
    const oldMaster = await group.masterPort();
    // Refused enqueues (the master gone, the sentinels not yet agreed) are retried every 50 ms.
    const enqueueOnce = async () => {
      try {
        const [id] = await broker.enqueue(queue, [{ priority: seq % 10, spec: { task: 'app.tasks.t', args: [seq] } }]);
        return id!;
      } catch {
        failures++;
        return null;
      }
    };
    while (!killedAt || acked.filter((a) => a.at > killedAt).length < 200) {
      if (!killedAt && acked.length === 300) {
        await group.killMaster();
        killedAt = Date.now();
      }
      const id = await waitFor('an enqueue to be acknowledged', enqueueOnce, 30_000, 50);
      const at = Date.now();
      acked.push({ id, at });
      if (killedAt && !recoveredAt) recoveredAt = at;
      seq++;
    }
    const newMaster = await group.failedOver(oldMaster);
    expect(newMaster).not.toBe(oldMaster);
    expect(recoveredAt - killedAt).toBeLessThan(RECOVERY_LIMIT_MS);
    const present = await allIds(broker, queue);
    const lost = acked.filter((a) => !present.has(a.id));
    const outsideWindow = lost.filter((a) => a.at < killedAt - REPLICATION_WINDOW_MS || a.at > killedAt + 50);
    process.stdout.write(`sentinel enqueue: ${acked.length} acknowledged, ${failures} refused during failover, recovered after ${recoveredAt - killedAt} ms, ${lost.length} lost (all acknowledged within ${REPLICATION_WINDOW_MS} ms before the kill)\n`);
    expect(outsideWindow).toEqual([]);
  }, 90_000);

  /** Enqueues `count` tasks and waits until the replica holds them, so the kill tests what follows. */
  async function fill(broker: QueueBroker, queue: string, count: number, task = 'app.tasks.t'): Promise<string[]> {
    const ids: string[] = [];
    for (let start = 0; start < count; start += 1000) {
      const items = Array.from({ length: Math.min(1000, count - start) }, (_, i) => ({ priority: (start + i) % 10, spec: { task, args: [start + i] } }));
      ids.push(...(await broker.enqueue(queue, items)));
    }
    const replicas = await group.command(await group.masterPort(), 'WAIT', '1', '10000');
    expect(replicas).toBe(1);
    return ids;
  }

  it('a drain killed mid-way by the failover loses and duplicates nothing, and a re-run completes', async () => {
    const queue = uniqueName('sentinel-drain');
    const target = `${queue}.drained`;
    const broker = await connect(queue, target);
    const ids = await fill(broker, queue, 5000);
    const oldMaster = await group.masterPort();
    let killed = false;
    const first = await transfer({ broker, queue }, { broker, queue: target }, {}, null, {
      batchSize: 100,
      onProgress: (progress) => {
        if (!killed && progress.moved >= 1000) {
          killed = true;
          void group.killMaster();
        }
      },
    }).catch((error: unknown) => error);
    expect(killed).toBe(true);
    await group.failedOver(oldMaster);
    // The re-run, once the adapter reaches the new master.
    const rerun = await waitFor('the drain to run again', () => transfer({ broker, queue }, { broker, queue: target }, {}, null, { batchSize: 100 }).catch(() => null), 30_000, 200);
    const inSource = await allIds(broker, queue);
    const inTarget = await allIds(broker, target);
    expect(inSource.size).toBe(0);
    expect(inTarget.size).toBe(ids.length);
    expect([...inTarget.values()].every((n) => n === 1)).toBe(true);
    expect(ids.every((id) => inTarget.has(id))).toBe(true);
    process.stdout.write(`sentinel drain: first run ${first instanceof Error ? `failed (${first.message})` : `moved ${(first as { moved: number }).moved}`}, re-run moved ${rerun.moved}\n`);
  }, 120_000);

  it('a Triage worker follows the new master within 15 s and every task runs', async () => {
    const queue = uniqueName('sentinel-work');
    const producer = await connect(queue);
    const harness = new WorkerHarness(TARGETS.find((t) => t.kind === 'redis')!, { queues: [{ name: queue }], url: group.url });
    try {
      await harness.spawnWorker({ queues: [queue], concurrency: 2 });
      const ids = await fill(producer, queue, 3000, 'triage.tasks.noop');
      await waitFor('300 tasks to succeed', async () => (await harness.taskEvents('task.succeeded', queue)).length >= 300, 30_000, 20);
      const oldMaster = await group.masterPort();
      await group.killMaster();
      const killedAt = Date.now();
      await group.failedOver(oldMaster);
      const startedAfter = await waitFor('a task to start after the kill', async () => (await harness.taskEvents('task.started', queue)).find((e) => Date.parse(e.at) > killedAt + 100), 30_000, 50);
      const resumedMs = Date.parse(startedAfter.at) - killedAt;
      expect(resumedMs).toBeLessThan(RECOVERY_LIMIT_MS);
      await waitFor('every task to succeed at least once', async () => new Set((await harness.taskEvents('task.succeeded', queue)).map((e) => e.taskId)).size >= ids.length, 90_000, 200);
      const succeeded = new Set((await harness.taskEvents('task.succeeded', queue)).map((e) => e.taskId));
      expect(ids.every((id) => succeeded.has(id))).toBe(true);
      process.stdout.write(`sentinel worker: resumed ${resumedMs} ms after the kill; ${succeeded.size}/${ids.length} tasks succeeded\n`);
    } finally {
      await harness.cleanup();
    }
  }, 180_000);

  it("a purge's archive is on the state Redis' replica before its messages leave the broker, so a failover right after loses none", async () => {
    // The state on the Sentinel group, the broker apart (the standalone Redis): the two are
    // not one server, so only WAIT keeps the archive from lagging behind the deletion.
    const queue = uniqueName('sentinel-purge');
    const scratch = scratchRedis();
    scratch.names.push(queue);
    const broker = createBroker(RedisBrokerConfigSchema.parse({ id: 'redis', kind: 'redis', url: REDIS_URL, queues: [{ name: queue }] }));
    brokers.push(broker);
    await broker.connect();
    const stateClient = connectStateRedis(group.url, { name: 'triage:sentinel-test' });
    await startClient(stateClient);
    const config = TriageConfigSchema.parse({ brokers: [{ id: 'redis', kind: 'redis', url: REDIS_URL }], stateRedisUrl: group.url, statePrefix: `${uniqueName('sstate')}:` });
    const state = createTriageState(stateClient, config);
    try {
      const ids = await broker.enqueue(queue, Array.from({ length: 1000 }, (_, i) => ({ priority: i % 10, spec: { task: 'app.tasks.t', args: [i] } })));
      // The replica falls behind: frozen, with its socket buffers full (a 64 MiB value), so
      // what the master writes next waits in the master's memory, which dies with it.
      const masterPort = await group.masterPort();
      const replica = group.pid(group.redisPorts.find((p) => p !== masterPort)!);
      process.kill(replica, 'SIGSTOP');
      let outcome: string;
      try {
        await group.command(masterPort, 'SET', `${config.statePrefix}filler`, 'x'.repeat(64 * 2 ** 20));
        outcome = await archiveSelection({ state, actor: { name: 'sentinel-test', role: 'admin' } }, broker, queue, {}).then(
          (archived) => `purged ${archived.moved}`,
          (error: Error) => `refused: ${error.message}`,
        );
        // The master dies before the replica caught up.
        await group.killMaster();
      } finally {
        process.kill(replica, 'SIGCONT');
      }
      await group.failedOver(masterPort);
      const inQueue = await allIds(broker, queue);
      const archiveIds = await waitFor('the state on the new master', async () => {
        const archives = await state.archives.listFor('redis', queue).catch(() => null);
        if (!archives) return null;
        const held = new Set<string | null>();
        for (const a of archives) for (const m of await state.archives.head<{ id: string | null }>(a.id, 1000)) held.add(m.id);
        return { held };
      }, 30_000, 200);
      const lost = ids.filter((id) => !inQueue.has(id) && !archiveIds.held.has(id));
      process.stdout.write(`sentinel purge: ${outcome}; after the failover ${inQueue.size} in the queue, ${archiveIds.held.size} archived, ${lost.length} lost\n`);
      expect(lost).toEqual([]);
    } finally {
      stateClient.disconnect();
      await scratch.done();
    }
  }, 120_000);
});
