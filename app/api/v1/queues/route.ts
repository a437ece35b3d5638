import { allBrokers, route } from '@/lib/server/http';
import { decorate } from '@/lib/server/queue-listing';
import { describeError } from '@/lib/shared/errors';
import type { Queue } from '@/lib/shared/types';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** Every queue on every reachable broker; an unreachable broker is listed under `unavailable`. */
export const GET = route({ role: 'viewer' }, async () => {
  const brokers = await allBrokers();
  const results = await Promise.allSettled(brokers.map((broker) => broker.listQueues()));
  const queues: Queue[] = [];
  const unavailable: { broker: string; error: string }[] = [];
  results.forEach((result, i) => {
    if (result.status === 'fulfilled') queues.push(...result.value);
    else unavailable.push({ broker: brokers[i]!.id, error: describeError(result.reason) });
  });
  return { queues: await decorate(queues, brokers), unavailable };
});
