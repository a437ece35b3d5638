import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createBroker } from '@/lib/brokers/registry';
import { RedisBrokerConfigSchema } from '@/lib/brokers/redis/config';
import { TriageConfigSchema } from '@/lib/config/schema';
import { controlContext } from '@/lib/control/context';
import { drain } from '@/lib/control/drain';
import { OPERATION_LEASE_MS } from '@/lib/state/operations';
import { createTriageState } from '@/lib/state/triage-state';
import { isTriageError } from '@/lib/shared/errors';
import { REDIS_URL, scratchRedis, uniqueName, waitFor } from './support';
import type { OperationChildInput } from './control/operation-child';

const scratch = scratchRedis();
afterAll(() => scratch.done());

/**
 * A replica killed mid-operation (SIGKILL of the process running a drain through the control
 * layer): its operation record must not say "running" forever, the 409 another operator gets
 * meanwhile names the holder and when its lock lapses, and once it lapsed a re-run finishes
 * the drain with every message in the parking queue.
 */
describe('an operation whose process died', () => {
  it('is reported interrupted, its lock lapses within the lease, the 409 names it, and a re-run completes', async () => {
    const queue = uniqueName('interrupted');
    const statePrefix = `${uniqueName('opstate')}:`;
    scratch.names.push(queue, statePrefix);
    const brokerConfig = RedisBrokerConfigSchema.parse({ id: 'redis', kind: 'redis', url: REDIS_URL, queues: [{ name: queue }] });
    const broker = createBroker(brokerConfig);
    await broker.connect();
    const state = createTriageState(scratch.client, TriageConfigSchema.parse({ brokers: [brokerConfig], statePrefix }));
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(...(await broker.enqueue(queue, Array.from({ length: 10_000 }, (_, j) => ({ priority: j % 10, spec: { task: 'app.tasks.t', args: [i, j] } })))));

    const operationId = `op-${uniqueName('kill')}`;
    const input: OperationChildInput = { broker: brokerConfig, queue, statePrefix, operationId };
    const child = spawn(process.execPath, ['--import', 'tsx', path.join('test', 'control', 'operation-child.ts'), JSON.stringify(input)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    let output = '';
    for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await waitFor('the drain to be under way', async () => {
        if (child.exitCode !== null) throw new Error(`the child exited (${child.exitCode}) before it was killed: ${output}`);
        return ((await state.operations.get(operationId))?.progress.moved ?? 0) > 0;
      }, 60_000, 20);
    } finally {
      child.kill('SIGKILL');
    }
    await exited;
    const killedAt = Date.now();
    const running = await state.operations.get(operationId);
    expect(running!.status).toBe('running');
    expect(running!.holder).toMatch(/:\d+$/);

    // Meanwhile another operator's drain is refused, with the holder and the lapse named.
    const ctx = controlContext({ brokers: new Map([[broker.id, broker]]), state }, async () => broker, { name: 'second-operator', role: 'operator' });
    const refused = await drain(ctx, { broker: 'redis', queue }).catch((error: unknown) => error);
    expect(isTriageError(refused) && refused.code).toBe('CONFLICT');
    expect((refused as Error).message).toContain(`drain ${operationId} by replica-child on ${running!.holder}`);
    expect((refused as Error).message).toMatch(/lapses in \d+ s/);

    // Within the lease: reported interrupted, and the lock is gone.
    const interrupted = await waitFor('the record to read interrupted', async () => {
      const record = await state.operations.get(operationId);
      return record?.status === 'interrupted' ? record : null;
    }, OPERATION_LEASE_MS + 15_000, 500);
    expect(interrupted.error!.code).toBe('INTERRUPTED');
    await waitFor('the lock to lapse', async () => (await state.queueLockHolder('redis', queue)) === null, OPERATION_LEASE_MS + 15_000, 500);
    expect(Date.now() - killedAt).toBeLessThan(OPERATION_LEASE_MS + 15_000);

    const rerun = await drain(ctx, { broker: 'redis', queue });
    expect(rerun.moved).toBeGreaterThan(0);
    const source = await broker.getQueue(queue);
    expect(source!.depth).toBe(0);
    const parked = await broker.getQueue(`${queue}.drained`);
    expect(parked!.depth).toBe(ids.length);
    scratch.names.push(`${queue}.drained`);
    await broker.close();
  }, 120_000);
});
