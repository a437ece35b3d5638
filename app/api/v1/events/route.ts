import { route, runtime as triage } from '@/lib/server/http';
import { getSampler } from '@/lib/server/sampler';
import { sseResponse } from '@/lib/server/sse';
import { streamLifetime } from '@/lib/server/stream-lifetime';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/**
 * Server-sent events: `queues` and `health` (the latest on connect, then every change),
 * `workers`, `tasks` (task events as they happen) and a `ping` heartbeat every second (browsers
 * take a few seconds of silence for a server that stopped answering). Every tab shares the
 * server's one poller. The stream ends with its credentials and after a while (stream-lifetime.ts).
 */
export const GET = route({ role: 'viewer' }, async ({ request }) =>
  sseResponse(await getSampler(), streamLifetime(request, triage().config.auth)),
);
