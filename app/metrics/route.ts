import { authenticateMetrics } from '@/lib/server/auth';
import { toErrorResponse } from '@/lib/server/errors';
import { serverSecurityLog } from '@/lib/server/audit-trail';
import { renderMetrics } from '@/lib/server/metrics';
import { taskWaitTotals } from '@/lib/server/queries';
import { runtime as triage } from '@/lib/server/runtime';
import { getSampler } from '@/lib/server/sampler';
import { sloStates } from '@/lib/server/slos';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/**
 * Prometheus scrape target. Needs a bearer token (or a session) unless `auth.metricsPublic`
 * (TRIAGE_METRICS_PUBLIC=1). Reuses the sampler's snapshot when it is fresh, so scrapes and
 * tabs share broker reads.
 */
export async function GET(request: Request): Promise<Response> {
  try {
    await authenticateMetrics(request);
    const sampler = await getSampler();
    // Up to one history interval old: the sampler refreshes at least that often where it writes
    // history, so frequent scrapes never add broker reads of their own.
    const snapshot = await sampler.snapshot(triage().config.sampler.historyIntervalSec * 1000);
    const [workers, securityEvents, waitTotals, slos] = await Promise.all([
      sampler.currentWorkers().catch(() => null),
      serverSecurityLog().counts().catch(() => null),
      taskWaitTotals(snapshot.health.brokers.map((b) => b.id)).catch(() => null),
      sloStates().catch(() => null),
    ]);
    return new Response(renderMetrics(snapshot, workers, sampler.outcomes, { polls: sampler.stats.polls, listeners: sampler.listenerCount }, securityEvents, waitTotals, slos), {
      headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' },
    });
  } catch (error) {
    return toErrorResponse(error, (err) => triage().logger.error({ err, url: request.url }, 'metrics failed'));
  }
}
