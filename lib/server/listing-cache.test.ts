import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { QueueBroker } from '@/lib/brokers/types';
import type { Queue } from '@/lib/shared/types';
import { LISTING_MAX_AGE_MS, listBrokerQueues } from './listing-cache';

/** A broker whose listQueues calls resolve when the test says so, each with its call number. */
function fakeBroker(brokerRates: boolean) {
  const pending: { resolve: (q: Queue[]) => void; reject: (e: Error) => void }[] = [];
  const broker = {
    id: brokerRates ? 'rabbitmq' : 'redis',
    capabilities: { brokerRates },
    calls: 0,
    listQueues: vi.fn(() => {
      broker.calls += 1;
      return new Promise<Queue[]>((resolve, reject) => pending.push({ resolve, reject }));
    }),
  };
  const answer = (n: number) => pending.shift()!.resolve([{ name: `listing-${n}` } as Queue]);
  const fail = () => pending.shift()!.reject(new Error('management API down'));
  return { broker: broker as typeof broker & QueueBroker, answer, fail };
}

const names = (queues: Queue[]) => queues.map((q) => q.name);

describe('listBrokerQueues', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_000_000);
  });
  afterEach(() => vi.useRealTimers());

  it('shares one scrape among concurrent callers and reuses it within the max age', async () => {
    const { broker, answer } = fakeBroker(true);
    const calls = Array.from({ length: 20 }, () => listBrokerQueues(broker));
    answer(1);
    for (const listed of await Promise.all(calls)) expect(names(listed)).toEqual(['listing-1']);
    vi.advanceTimersByTime(500);
    expect(names(await listBrokerQueues(broker))).toEqual(['listing-1']);
    expect(broker.calls).toBe(1);
  });

  it('past the refresh age serves the cached listing and scrapes in the background; past the max age waits', async () => {
    const { broker, answer } = fakeBroker(true);
    const first = listBrokerQueues(broker);
    answer(1);
    await first;
    vi.advanceTimersByTime(1500);
    expect(names(await listBrokerQueues(broker))).toEqual(['listing-1']);
    expect(broker.calls).toBe(2);
    answer(2);
    await vi.waitFor(async () => expect(names(await listBrokerQueues(broker))).toEqual(['listing-2']));

    vi.advanceTimersByTime(LISTING_MAX_AGE_MS + 1);
    let settled = false;
    const waiting = listBrokerQueues(broker).then((q) => ((settled = true), q));
    await Promise.resolve();
    expect(settled).toBe(false);
    answer(3);
    expect(names(await waiting)).toEqual(['listing-3']);
    expect(broker.calls).toBe(3);
  });

  it('max age 0 always scrapes and keeps the result for later callers', async () => {
    const { broker, answer } = fakeBroker(true);
    const first = listBrokerQueues(broker, 0);
    answer(1);
    await first;
    const second = listBrokerQueues(broker, 0);
    answer(2);
    expect(names(await second)).toEqual(['listing-2']);
    expect(names(await listBrokerQueues(broker))).toEqual(['listing-2']);
    expect(broker.calls).toBe(2);
  });

  it('never caches a failure', async () => {
    const { broker, answer, fail } = fakeBroker(true);
    const failing = listBrokerQueues(broker);
    fail();
    await expect(failing).rejects.toThrow('management API down');
    const next = listBrokerQueues(broker);
    answer(2);
    expect(names(await next)).toEqual(['listing-2']);
  });

  it('lists brokers with exact counts (Redis) live every time', async () => {
    const { broker, answer } = fakeBroker(false);
    const a = listBrokerQueues(broker);
    const b = listBrokerQueues(broker);
    answer(1);
    answer(2);
    expect(names(await a)).toEqual(['listing-1']);
    expect(names(await b)).toEqual(['listing-2']);
  });
});
