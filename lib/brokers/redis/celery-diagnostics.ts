import type { CeleryTransportRules } from '@/lib/celery/diagnostics';
import { KOMBU_DEFAULT_SEP, KOMBU_DEFAULT_STEPS } from '@/lib/shared/priority';
import { displayKey } from './keys';

/** How kombu's Redis transport options of a Celery worker can disagree with the queues Triage lists (celery-wire.md §2.4, §2.7). */
export const redisCeleryRules: CeleryTransportRules = {
  queueWarnings(who, options, q) {
    const warnings: string[] = [];
    const steps = options.priority_steps ?? [...KOMBU_DEFAULT_STEPS];
    const sep = options.sep ?? KOMBU_DEFAULT_SEP;
    const queueSteps = q.details.steps as number[] | undefined;
    if (queueSteps && JSON.stringify([...steps].sort((a, b) => a - b)) !== JSON.stringify(queueSteps)) {
      warnings.push(
        `${who} uses priority_steps [${steps.join(', ')}] but ${q.name} is configured with [${queueSteps.join(', ')}]: it never takes from the lists only Triage uses, and sends its own to lists Triage does not count`,
      );
    }
    const queueSep = q.details.sep as string | undefined;
    if (queueSep !== undefined && displayKey(sep) !== queueSep) {
      warnings.push(`${who} uses sep "${displayKey(sep)}" but ${q.name} is configured with "${queueSep}": its priority lists have other names`);
    }
    return warnings;
  },

  laneInterleaving(options, consumedLanes, inLaneOrder) {
    // With queue_order_strategy "priority", kombu polls the queues in the worker's -Q order,
    // priority step first: strict when that order is the lane order. Round-robin interleaves.
    const strategy = options?.queue_order_strategy;
    if (strategy === 'priority' && inLaneOrder) return null;
    const why =
      strategy === 'priority'
        ? `it polls them in the order ${consumedLanes.join(', ')}, not the lane order`
        : `it polls them round-robin (queue_order_strategy ${strategy ? JSON.stringify(strategy) : 'unknown, default "round_robin"'})`;
    return { why, otherFix: 'set queue_order_strategy = "priority" with -Q in lane order' };
  },
};
