import type { QueueBroker } from '@/lib/brokers/types';
import type { Queue } from '@/lib/shared/types';

/**
 * A listing this old is served as is. Only brokers that list from statistics they sample
 * themselves are cached (RabbitMQ: the management API refreshes counts every ~5 s, and one
 * scrape of 1,000 queues takes 100-250 ms), so the cache adds little staleness to what they
 * report anyway; its visible effect is that a queue created less than this ago may be
 * missing. Redis answers exact counts in one pipelined round trip and is always read live.
 */
export const LISTING_MAX_AGE_MS = 2000;
// Past this age a request still gets the cached listing but starts a new scrape, so steady
// traffic never waits for one.
const LISTING_REFRESH_AFTER_MS = 1000;

interface ListingCache {
  queues: Queue[] | null;
  takenAt: number;
  inflight: Promise<Queue[]> | null;
}

// Keyed by the adapter object: a new runtime (tests, a changed config) starts empty.
const listings = new WeakMap<QueueBroker, ListingCache>();

/**
 * `broker.listQueues()` (undecorated), shared by every concurrent caller: at most one scrape
 * per broker runs at a time, and on cached brokers a listing younger than `maxAgeMs` is
 * reused. `maxAgeMs` 0 always scrapes (joining one already running) and stores the result,
 * so the sampler's polls keep API requests fresh too. Failures are never cached.
 */
export async function listBrokerQueues(broker: QueueBroker, maxAgeMs = LISTING_MAX_AGE_MS): Promise<Queue[]> {
  if (!listsSampledStats(broker)) return broker.listQueues();
  let cache = listings.get(broker);
  if (!cache) listings.set(broker, (cache = { queues: null, takenAt: 0, inflight: null }));
  const age = Date.now() - cache.takenAt;
  if (cache.queues && age < maxAgeMs) {
    if (age > Math.min(LISTING_REFRESH_AFTER_MS, maxAgeMs / 2)) scrape(broker, cache).catch(() => {});
    return cache.queues;
  }
  return scrape(broker, cache);
}

function scrape(broker: QueueBroker, cache: ListingCache): Promise<Queue[]> {
  if (cache.inflight) return cache.inflight;
  const started = Date.now();
  const run = broker.listQueues().then((queues) => {
    // Stamped with its start: the listing is at least that old.
    if (started >= cache.takenAt) Object.assign(cache, { queues, takenAt: started });
    return queues;
  });
  cache.inflight = run;
  void run.finally(() => {
    if (cache.inflight === run) cache.inflight = null;
  }).catch(() => {});
  return run;
}

/** Brokers whose rates (and counts) come from the broker's own periodic statistics. */
function listsSampledStats(broker: QueueBroker): boolean {
  return broker.capabilities.brokerRates;
}
