import { allBrokers, route } from '@/lib/server/http';
import { listBrokerQueues } from '@/lib/server/listing-cache';
import { decorate } from '@/lib/server/queue-listing';
import { withSampledRates } from '@/lib/server/sampler';
import { describeError } from '@/lib/shared/errors';
import type { Queue } from '@/lib/shared/types';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/**
 * Every queue on every reachable broker; an unreachable broker is listed under `unavailable`.
 * RabbitMQ's listing may be up to LISTING_MAX_AGE_MS old (see listing-cache.ts). Redis rates
 * are the server sampler's (Redis reports none).
 */
export const GET = route({ role: 'viewer' }, async () => {
  const brokers = await allBrokers();
  const results = await Promise.allSettled(brokers.map((broker) => listBrokerQueues(broker)));
  const queues: Queue[] = [];
  const unavailable: { broker: string; error: string }[] = [];
  results.forEach((result, i) => {
    if (result.status === 'fulfilled') queues.push(...result.value);
    else unavailable.push({ broker: brokers[i]!.id, error: describeError(result.reason) });
  });
  return { queues: withSampledRates(await decorate(queues, brokers)), unavailable };
});
