import { route } from '@/lib/server/http';
import { getSampler } from '@/lib/server/sampler';
import { sseResponse } from '@/lib/server/sse';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/**
 * Server-sent events: `queues` and `health` (the latest on connect, then every change),
 * `workers`, `tasks` (task events as they happen) and a `ping` heartbeat every second (browsers
 * take a few seconds of silence for a server that stopped answering). Every tab shares
 * the server's one poller.
 */
export const GET = route({ role: 'viewer' }, async ({ request }) => sseResponse(await getSampler(), request.signal));
