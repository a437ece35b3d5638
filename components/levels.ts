import { PRIORITIES, StepsSchema, laneLevel, stepFor } from '@/lib/shared/priority';
import type { Queue } from '@/lib/shared/types';

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

/** Priorities a level holds, e.g. "0–2"; null when no priority maps to it (only foreign messages land there). */
export function levelLabel(queue: Queue, level: number): string | null {
  const held = PRIORITIES.filter((p) => levelOf(queue, p) === level);
  if (held.length === 0) return null;
  const from = held[0]!;
  const to = held[held.length - 1]!;
  // Held priorities are contiguous for every layout the adapters produce.
  return from === to ? String(from) : `${from}–${to}`;
}
