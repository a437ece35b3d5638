import { route } from '@/lib/server/http';
import { queueDetail } from '@/lib/server/queries';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/**
 * `?missing=empty`: the caller asks about a queue that may not exist yet (a parking queue
 * before the first drain), so "none" is an answer, `{broker, name, exists: false, depth: 0}`.
 */
export const GET = route(
  {
    role: 'viewer',
    queue: true,
    missing: {
      flag: { name: 'missing', value: 'empty' },
      answer: ({ broker, queue }) => ({ broker, name: queue, exists: false, depth: 0 }),
      notFound: ({ broker, queue }) => `queue ${JSON.stringify(queue)} not found on broker ${broker}`,
    },
  },
  async ({ queue }) => queueDetail(queue),
);
