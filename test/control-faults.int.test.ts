import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rabbitTarget } from './contract/rabbitmq-target';
import { redisTarget } from './contract/redis-target';
import type { RawQueues } from './contract/targets';
import { randomDelay, runFaultChild } from './control/run-fault-child';
import { uniqueName } from './support';

/**
 * Fault injection across brokers: a child process moves 50,000 messages from Redis to
 * RabbitMQ and is SIGKILLed at a random moment; no id may be lost, and a re-run completes.
 * Kills within one broker (drain, reprioritize) are in test/contract/control-faults.int.test.ts.
 */

const N = 50_000;
let redis: RawQueues;
let rabbit: RawQueues;
const redisNames: string[] = [];
const rabbitNames: string[] = [];

beforeAll(async () => {
  redis = await redisTarget.openRaw();
  rabbit = await rabbitTarget.openRaw();
});

afterAll(async () => {
  await redis.remove(redisNames);
  await rabbit.remove(rabbitNames);
  await redis.close();
  await rabbit.close();
});

describe('killing the process mid-operation loses nothing', () => {
  it('cross-broker move of 50,000 Redis → RabbitMQ: no id lost after a kill; a re-run completes', async () => {
    const source = uniqueName('fault-x');
    const target = uniqueName('fault-xm');
    redisNames.push(source);
    rabbitNames.push(target);
    await rabbit.declare(target);
    const all = new Set(await redis.fill(source, Array.from({ length: N }, (_, i) => [0, 3, 6, 9][i % 4]!)));
    const input = { from: { config: redisTarget.config({}), queue: source }, to: { config: rabbitTarget.config({}), queue: target } };
    const ids = async () => new Set([...(await redis.read(source)), ...(await rabbit.read(target))].map((m) => m.id));
    const outcome = await runFaultChild(input, randomDelay(3000));
    const present = await ids();
    expect([...all].filter((id) => !present.has(id))).toEqual([]);
    if (outcome === 'killed') expect(await runFaultChild(input, null)).toBe('completed');
    expect(await redis.count(source)).toBe(0);
    const moved = new Set((await rabbit.read(target)).map((m) => m.id));
    expect([...all].filter((id) => !moved.has(id))).toEqual([]);
  }, 240_000);
});
