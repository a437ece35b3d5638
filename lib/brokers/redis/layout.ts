import { TriageError } from '@/lib/shared/errors';
import { distinctSorted, laneFor, laneLevel, stepFor, type LaneSpec } from '@/lib/shared/priority';
import type { LaneGroupConfig, RedisBrokerConfig, RedisQueueConfig } from '@/lib/config/schema';
import { stepKey, type KeyOptions } from './keys';

/**
 * How one logical Triage queue maps onto Redis lists, in the exact order a strict-priority
 * consumer drains them: most urgent step first; for a lane group, lane after lane.
 */
export interface PhysicalList {
  key: string;
  /** The kombu queue (routing key) this list belongs to: the lane's queue for lane groups. */
  queue: string;
  step: number;
  /** The Triage level messages in this list are counted under. */
  level: number;
}

export interface QueueLayout {
  name: string;
  type: 'kombu' | 'lanes';
  /** In consumption order. */
  lists: PhysicalList[];
  levels: number[];
  lanes: LaneSpec[] | null;
  configured: boolean;
  /** For plain queues: the steps and separator in force. */
  steps: readonly number[];
  sep: string;
}

export function plainLayout(
  broker: Pick<RedisBrokerConfig, 'globalKeyprefix' | 'sep' | 'steps'>,
  name: string,
  queueConfig: RedisQueueConfig | undefined,
): QueueLayout {
  const steps = queueConfig?.steps ?? broker.steps;
  const sep = queueConfig?.sep ?? broker.sep;
  const opts: KeyOptions = { prefix: broker.globalKeyprefix, sep };
  return {
    name,
    type: 'kombu',
    lists: steps.map((step) => ({ key: stepKey(opts, name, step), queue: name, step, level: step })),
    levels: [...steps],
    lanes: null,
    configured: queueConfig !== undefined,
    steps,
    sep,
  };
}

export function laneGroupLayout(
  broker: Pick<RedisBrokerConfig, 'globalKeyprefix' | 'sep' | 'steps' | 'queues'>,
  group: LaneGroupConfig,
): QueueLayout {
  const lists: PhysicalList[] = [];
  const lanes: LaneSpec[] = group.lanes.map((l) => ({ queue: l.queue, priorities: [l.priorities[0], l.priorities[1]] }));
  for (const lane of lanes) {
    const laneQueue = plainLayout(broker, lane.queue, broker.queues.find((q) => q.name === lane.queue));
    for (const list of laneQueue.lists) lists.push({ ...list, level: laneLevel(lane, list.step) });
  }
  return {
    name: group.name,
    type: 'lanes',
    lists,
    levels: distinctSorted(lists.map((l) => l.level)),
    lanes,
    configured: true,
    steps: broker.steps,
    sep: broker.sep,
  };
}

/** The list a new message of Triage priority `priority` is pushed onto. */
export function targetList(layout: QueueLayout, priority: number): PhysicalList {
  if (layout.lanes) {
    const lane = laneFor(priority, layout.lanes);
    const laneLists = layout.lists.filter((l) => l.queue === lane.queue);
    const step = stepFor(priority, laneLists.map((l) => l.step));
    return laneLists.find((l) => l.step === step)!;
  }
  const step = stepFor(priority, layout.steps);
  const list = layout.lists.find((l) => l.step === step);
  if (!list) throw new TriageError('INVALID', `queue ${layout.name} has no list for priority ${priority}`);
  return list;
}
