import { enqueueAudited } from '@/lib/control/enqueue';
import { control, jsonResponse, route, runtime as triage } from '@/lib/server/http';
import { EnqueueBodySchema } from '@/lib/shared/types';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const POST = route({ role: 'operator', queue: true, body: EnqueueBodySchema }, async ({ params, body, actor }) => {
  const rt = triage();
  const { defaultPriority, enqueueMaxBytes } = rt.config;
  const ids = await enqueueAudited(control(actor), params, body, { defaultPriority, maxBytes: enqueueMaxBytes });
  return jsonResponse({ ids }, { status: 201 });
});
