import { retryDead } from '@/lib/control/retry';
import { RetryBodySchema } from '@/lib/control/schemas';
import { control, route } from '@/lib/server/http';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** On a dead-letter queue: `{ids?, match?, priority?}` → `{matched, retried}`. */
export const POST = route({ role: 'operator', queue: true, body: RetryBodySchema, optionalBody: true }, async ({ params, body, actor }) =>
  retryDead(control(actor, body.operationId), { ...params, ...body }),
);
