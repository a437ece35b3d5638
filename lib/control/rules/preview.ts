import type { QueueBroker } from '@/lib/brokers/types';
import type { NewRule, RulePreview } from '@/lib/shared/rules';
import type { ControlContext } from '../context';

/** Reading more than this many waiting messages for a preview answers a lower bound. */
const SCAN_CAP = 20_000;
const PAGE = 500;
/** Counting more executions than this in the rate window answers a lower bound. */
const RATE_CAP = 20_000;
const RATE_WINDOW_MS = 15 * 60_000;

/**
 * What a rule would take: `matchingNow` reads the queue as the browse filter does (the same
 * match), non-destructively; `matchingPerMin` counts the task index's executions of the
 * queue that match and changed in the last 15 minutes (recorded from Celery events and
 * Triage's workers: tasks sent without events on are not seen), per minute.
 */
export async function previewRule(ctx: Pick<ControlContext, 'state'>, broker: QueueBroker, input: NewRule, now: number): Promise<RulePreview> {
  const filter = {
    ...(input.match.task ? { task: input.match.task } : {}),
    ...(input.match.text ? { text: input.match.text } : {}),
    priorities: input.match.priorities ? new Set(input.match.priorities) : null,
  };
  let matchingNow = 0;
  let scanned = 0;
  let cursor: string | undefined;
  do {
    const page = await broker.browse(input.queue, { limit: PAGE, ...(cursor ? { cursor } : {}), ...filter });
    matchingNow += page.messages.length;
    scanned += page.scanned ?? page.messages.length;
    cursor = page.nextCursor ?? undefined;
  } while (cursor && scanned < SCAN_CAP);

  let seen = 0;
  let next: string | null = null;
  do {
    const page = await ctx.state.taskIndex.list(
      {
        states: null,
        tasks: input.match.task ? [input.match.task.toLowerCase()] : null,
        queues: [input.queue],
        brokers: [input.broker],
        workers: null,
        priorities: input.match.priorities ?? null,
        since: now - RATE_WINDOW_MS,
        until: null,
        text: input.match.text ? input.match.text.toLowerCase() : null,
        idPrefix: null,
      },
      PAGE,
      next,
    );
    seen += page.tasks.length;
    next = page.nextCursor;
  } while (next && seen < RATE_CAP);
  return {
    matchingNow,
    ...(cursor ? { matchingNowPartial: true } : {}),
    matchingPerMin: Math.round((seen / (RATE_WINDOW_MS / 60_000)) * 10) / 10,
  };
}
