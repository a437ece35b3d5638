import { bandOf, type Band } from './priority';
import type { Queue } from './types';

/** How long each band's work has waited: what an incident looks like on a queue (a P9 backlog is normal). */

const BANDS: readonly Band[] = ['high', 'medium', 'low'];

export interface BandWait {
  /** Tasks waiting in the band. */
  depth: number;
  /** Age of the band's oldest waiting task whose age is known; null when none is. */
  oldestAgeSec: number | null;
  /** Some of the band's waiting levels have no known age (RabbitMQ knows only the next message's): it may be older. */
  partial: boolean;
}

type QueueAges = Pick<Queue, 'levels' | 'byPriority' | 'oldestAgeSecByPriority'>;

export function bandWaits(queue: QueueAges): Record<Band, BandWait> {
  const waits = Object.fromEntries(BANDS.map((b) => [b, { depth: 0, oldestAgeSec: null, partial: false }])) as Record<Band, BandWait>;
  for (const level of queue.levels) {
    const depth = queue.byPriority[String(level)] ?? 0;
    if (depth <= 0) continue;
    const wait = waits[bandOf(level)];
    wait.depth += depth;
    const age = queue.oldestAgeSecByPriority[String(level)] ?? null;
    if (age === null) wait.partial = true;
    else wait.oldestAgeSec = Math.max(wait.oldestAgeSec ?? 0, age);
  }
  return waits;
}

/** The high band's oldest task has waited longer than `thresholdSec`: null otherwise. */
export function highBandAlert(queue: QueueAges, thresholdSec: number): { oldestAgeSec: number; thresholdSec: number } | null {
  const age = bandWaits(queue).high.oldestAgeSec;
  return age !== null && age > thresholdSec ? { oldestAgeSec: age, thresholdSec } : null;
}
