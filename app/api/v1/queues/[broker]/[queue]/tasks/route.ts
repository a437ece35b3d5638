import { enqueueTasks } from '@/lib/control/enqueue';
import { QueueParamsSchema, getBroker, jsonResponse, route, runtime as triage } from '@/lib/server/http';
import { EnqueueBodySchema } from '@/lib/shared/types';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const POST = route({ role: 'operator', params: QueueParamsSchema, body: EnqueueBodySchema }, async ({ params, body }) => {
  const broker = await getBroker(params.broker);
  const { defaultPriority, enqueueMaxBytes } = triage().config;
  const ids = await enqueueTasks(broker, params.queue, body, { defaultPriority, maxBytes: enqueueMaxBytes });
  return jsonResponse({ ids }, { status: 201 });
});
