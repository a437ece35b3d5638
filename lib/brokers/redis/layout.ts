import { TriageError } from '@/lib/shared/errors';
import { PRIORITIES, distinctSorted, kombuEffectivePriority, laneFor, laneLevel, stepFor, type LaneSpec } from '@/lib/shared/priority';
import type { LaneGroupConfig, RedisBrokerConfig, RedisQueueConfig } from './config';
import { parkedFrom } from '@/lib/shared/parking';
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

/**
 * A stored message's own Triage priority: kombu's reading of its `properties.priority`,
 * kept inside the lane's range for a lane's list (a producer that sent no priority to the
 * low lane still meant "low"). A message kombu < 5.4 restored onto step 0 keeps its own
 * priority here, whatever list it sits in.
 */
export function taskPriorityIn(layout: QueueLayout, list: PhysicalList, rawPriority: unknown): number {
  // kombu always writes one: without it (not kombu's, or undecodable) the list is all there is to go by.
  if (rawPriority === undefined || rawPriority === null) return list.level;
  const own = kombuEffectivePriority(rawPriority);
  const lane = layout.lanes?.find((l) => l.queue === list.queue);
  return lane ? Math.min(Math.max(own, lane.priorities[0]), lane.priorities[1]) : own;
}

/** The priorities a new message is stored under `list` for, [from, to] ([level, level] when none). */
export function levelRangeOf(layout: QueueLayout, list: PhysicalList): [number, number] {
  const held = PRIORITIES.filter((p) => targetList(layout, p).key === list.key);
  return held.length > 0 ? [held[0]!, held[held.length - 1]!] : [list.level, list.level];
}


/**
 * The layout of a parking queue: a plain kombu queue whose steps group priorities exactly
 * as `source` does (its own steps and separator for a plain queue; for a lane group, one
 * step per list a new message can land in), so every source list has one parking list
 * and a drain → restore gives each list back in its order.
 */
export function parkingLayout(
  broker: Pick<RedisBrokerConfig, 'globalKeyprefix'>,
  source: QueueLayout,
  name: string,
): QueueLayout {
  const steps = distinctSorted(PRIORITIES.map((p) => levelRangeOf(source, targetList(source, p))[0]));
  return { ...plainLayout({ globalKeyprefix: broker.globalKeyprefix, sep: source.sep, steps }, name, undefined), configured: false };
}

/**
 * The layout a queue has by configuration alone: a lane group, a configured queue or lane,
 * or a parking queue of one of those (recursively: `q.drained.dead`); null for any other
 * name (discovered queues take the broker's steps and separator).
 */
export function staticLayout(broker: RedisBrokerConfig, name: string): QueueLayout | null {
  const group = broker.laneGroups.find((g) => g.name === name);
  if (group) return laneGroupLayout(broker, group);
  const configured = broker.queues.find((q) => q.name === name);
  if (configured || broker.laneGroups.some((g) => g.lanes.some((l) => l.queue === name))) return plainLayout(broker, name, configured);
  const base = parkedFrom(name);
  const source = base === null ? null : staticLayout(broker, base);
  return source ? parkingLayout(broker, source, name) : null;
}
