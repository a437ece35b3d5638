import { PRIORITIES, StepsSchema, formatLevelRange, laneLevel, stepFor } from '@/lib/shared/priority';
import type { Queue } from '@/lib/shared/types';
import { rangeLabel } from './format';

/**
 * Which priorities each level of a queue holds, so a chip can say "P0–2" when kombu's steps
 * put 0, 1 and 2 in one list (product.md §2: the UI shows when steps collapse priorities).
 */

/** A queue that reports no levels is treated as holding all ten apart. */
export function levelsOf(queue: Queue): readonly number[] {
  return queue.levels.length > 0 ? [...queue.levels].sort((a, b) => a - b) : PRIORITIES;
}

/** The level a new message of priority `p` is counted under. */
export function levelOf(queue: Queue, p: number): number {
  const steps = StepsSchema.safeParse(queue.details.steps);
  const lane = queue.lanes?.find((l) => p >= l.priorities[0] && p <= l.priorities[1]);
  // Lane groups: the lane's step list, kept inside the lane's range (shared/priority laneLevel).
  // Other levels of a lane only hold messages that other producers put on a deeper step.
  if (lane && steps.success) return laneLevel(lane, stepFor(p, steps.data));
  // Kombu steps and RabbitMQ maxima alike: the greatest level <= p.
  return levelsOf(queue).filter((level) => level <= p).pop() ?? levelsOf(queue)[0] ?? 0;
}

/** The first and last priority a level holds; null when no priority maps to it (only foreign messages land there). */
export function levelRangeOf(queue: Queue, level: number): [number, number] | null {
  const held = PRIORITIES.filter((p) => levelOf(queue, p) === level);
  if (held.length === 0) return null;
  // Held priorities are contiguous for every layout the adapters produce.
  return [held[0]!, held[held.length - 1]!];
}

/** Priorities a level holds, e.g. "0–2"; null when no priority maps to it. */
export function levelLabel(queue: Queue, level: number): string | null {
  const range = levelRangeOf(queue, level);
  return range && rangeLabel(range);
}

/**
 * "P0–2" when the level a task is stored under also holds other priorities ("P1 · stored
 * with P0–2", and "P0 · stored with P0–2" too: a worker takes it with the 1s and 2s in
 * arrival order); null when the level holds only the task's own priority. The queue table
 * and the task page share this one rule.
 */
export function storedWithLabel(own: number, range: readonly [number, number]): string | null {
  return range[0] === own && range[1] === own ? null : formatLevelRange(range);
}
