import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker } from '@/lib/brokers/registry';
import { RabbitBrokerConfigSchema } from '@/lib/brokers/rabbitmq/config';
import type { QueueBroker } from '@/lib/brokers/types';
import { WorkerHarness } from '@/lib/worker/test-harness';
import { TARGETS } from '@/test/contract/targets';
import { uniqueName, waitFor } from '@/test/support';
import { RabbitCluster, clusterAvailable, clusterSkipReason, type RabbitNode } from './rabbit-cluster';

/**
 * Triage against a two-node RabbitMQ cluster, given every node's AMQP and management URL
 * (kombu's `;` form). One node is stopped while the dashboard's adapter and a Triage worker
 * run: both carry on through the other node; a queue the stopped node hosted is listed as
 * unavailable, never as empty; a quorum queue is listed with its type, leader and members.
 */
describe.skipIf(!clusterAvailable)(`a RabbitMQ cluster${clusterAvailable ? '' : ` (${clusterSkipReason})`}`, () => {
  const cluster = new RabbitCluster();
  let a: RabbitNode;
  let b: RabbitNode;
  const brokers: QueueBroker[] = [];

  beforeAll(async () => {
    await cluster.start();
    [a, b] = cluster.nodes as [RabbitNode, RabbitNode];
  }, 300_000);
  afterAll(async () => {
    await Promise.all(brokers.map((x) => x.close().catch(() => {})));
    await cluster.stop();
  }, 120_000);

  it('keeps the dashboard and a worker running through a stopped node, and lists what that node held as unavailable', async () => {
    const onA = uniqueName('on-a');
    const onB = uniqueName('on-b');
    const quorum = uniqueName('quorum');
    await cluster.declare(a, onA, { 'x-max-priority': 10 });
    await cluster.declare(b, onB, { 'x-max-priority': 10 });
    await cluster.declare(a, quorum, { 'x-queue-type': 'quorum' });
    // Node a first in every list: it is the one stopped.
    const config = RabbitBrokerConfigSchema.parse({ id: 'rabbitmq', kind: 'rabbitmq', url: cluster.amqpUrl, managementUrl: cluster.managementUrl, queues: [{ name: onA }, { name: onB }] });
    const broker = createBroker(config);
    brokers.push(broker);
    await broker.connect();
    await broker.enqueue(onA, Array.from({ length: 20 }, (_, i) => ({ priority: i % 10, spec: { task: 'app.tasks.t', args: [i] } })));

    const quorumView = await waitFor('the quorum queue listed with its members', async () => (await broker.listQueues()).find((q) => q.name === quorum && Array.isArray(q.details.members)), 30_000, 500);
    expect(quorumView.details.type).toBe('quorum');
    expect(quorumView.details.leader).toBe(a.name);
    expect([...(quorumView.details.members as string[])].sort()).toEqual([a.name, b.name].sort());

    const rabbitTarget = TARGETS.find((t) => t.kind === 'rabbitmq')!;
    const harness = new WorkerHarness(rabbitTarget, { queues: [{ name: onB }], url: cluster.amqpUrl, extra: { managementUrl: cluster.managementUrl } });
    try {
      await harness.spawnWorker({ queues: [onB], concurrency: 2 });
      const before = await broker.enqueue(onB, Array.from({ length: 100 }, (_, i) => ({ priority: i % 10, spec: { task: 'triage.tasks.noop', args: [i] } })));
      await harness.succeeded(onB, 100);

      await cluster.stopNode(a);
      const stoppedAt = Date.now();
      // The adapter reaches node b: enqueue works again, and the worker keeps consuming.
      const after = await waitFor('an enqueue through node b', () => broker.enqueue(onB, Array.from({ length: 100 }, (_, i) => ({ priority: i % 10, spec: { task: 'triage.tasks.noop', args: [i] } }))).catch(() => null), 60_000, 250);
      await harness.succeeded(onB, 200, 90_000);
      const succeeded = new Set((await harness.taskEvents('task.succeeded', onB)).map((e) => e.taskId));
      expect([...before, ...after].every((id) => succeeded.has(id))).toBe(true);
      process.stdout.write(`rabbitmq cluster: enqueue through node b ${Date.now() - stoppedAt} ms after node a stopped; 200/200 tasks ran\n`);

      // The listing comes from node b's management API: node a's queue is unavailable, not empty.
      const listed = await waitFor('the stopped node\'s queue listed as unavailable', async () => {
        const queues = await broker.listQueues().catch(() => null);
        const held = queues?.find((q) => q.name === onA);
        return held?.unavailable ? queues : null;
      }, 60_000, 500);
      const heldByA = listed.find((q) => q.name === onA)!;
      expect(heldByA.unavailable).toMatch(new RegExp(`node ${a.name}`));
      expect(heldByA.warnings[0]).toMatch(/unavailable/);
      const onBView = listed.find((q) => q.name === onB)!;
      expect(onBView.unavailable ?? null).toBeNull();
      const quorumAfter = listed.find((q) => q.name === quorum)!;
      expect(quorumAfter.details.online).toEqual([b.name]);
      expect(quorumAfter.unavailable).toMatch(/no majority/);
    } finally {
      await harness.cleanup();
    }
  }, 300_000);
});
