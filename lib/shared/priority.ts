import { z } from 'zod';
import { TriageError } from './errors';

/**
 * Triage's one priority scale: 0..9, 0 = most urgent, everywhere in UI and API.
 * Adapters translate to the wire; nothing here ever clamps an out-of-range input.
 */
export const MIN_PRIORITY = 0;
export const MAX_PRIORITY = 9;
export const PRIORITIES: readonly number[] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

export const PrioritySchema = z
  .number({ error: 'priority must be an integer from 0 (most urgent) to 9' })
  .int({ error: 'priority must be an integer from 0 (most urgent) to 9' })
  .min(MIN_PRIORITY, { error: 'priority must be between 0 and 9 (0 = most urgent)' })
  .max(MAX_PRIORITY, { error: 'priority must be between 0 and 9 (0 = most urgent)' });

export function isPriority(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= MIN_PRIORITY && value <= MAX_PRIORITY;
}

export function assertPriority(value: unknown, field = 'priority'): number {
  if (!isPriority(value)) {
    throw new TriageError('INVALID', `${field} must be an integer from 0 (most urgent) to 9, got ${JSON.stringify(value)}`, {
      path: [field],
    });
  }
  return value;
}

export type Band = 'high' | 'medium' | 'low';

/** Named bands for people: 0-2 high, 3-5 medium, 6-9 low. */
export function bandOf(priority: number): Band {
  assertPriority(priority);
  if (priority <= 2) return 'high';
  if (priority <= 5) return 'medium';
  return 'low';
}

export function emptyByPriority(): Record<string, number> {
  return Object.fromEntries(PRIORITIES.map((p) => [String(p), 0]));
}

// ---------------------------------------------------------------------------
// RabbitMQ: classic queue with x-max-priority M; the broker delivers the HIGHEST number first.

export const DEFAULT_RABBIT_MAX_PRIORITY = 10;

function assertMaxPriority(maxPriority: number): void {
  if (!Number.isInteger(maxPriority) || maxPriority < 0 || maxPriority > 255) {
    throw new TriageError('INVALID', `x-max-priority must be an integer 0..255, got ${maxPriority}`);
  }
}

/**
 * Triage priority → AMQP `priority` property. For M >= 9 this is exactly 9 − p (so
 * x-max-priority 10 gives 9..0); smaller maxima scale 9 − p down onto 0..M. A queue without
 * x-max-priority (M = 0) ignores priority, so everything maps to 0.
 */
export function toRabbitPriority(priority: number, maxPriority = DEFAULT_RABBIT_MAX_PRIORITY): number {
  assertPriority(priority);
  assertMaxPriority(maxPriority);
  if (maxPriority >= MAX_PRIORITY) return MAX_PRIORITY - priority;
  return Math.floor(((MAX_PRIORITY - priority) * maxPriority) / MAX_PRIORITY);
}

/**
 * AMQP priority as found on a message → the Triage level it is queued at: the most urgent
 * Triage priority that the broker cannot tell apart from it. No priority at all counts like
 * wire 0 (RabbitMQ treats it as 0, the last delivered): 9 for x-max-priority 10. Values
 * above the top count as 0.
 */
export function fromRabbitPriority(
  brokerPriority: number | null | undefined,
  maxPriority = DEFAULT_RABBIT_MAX_PRIORITY,
): number {
  assertMaxPriority(maxPriority);
  // RabbitMQ delivers a message without priority exactly like priority 0, so it belongs to
  // the level of wire value 0. For x-max-priority >= 9 that is 9; for smaller maxima (e.g.
  // 5 → level 8) a hard-coded 9 would count it under a level the queue does not hold (not in
  // rabbitLevels), apart from the wire-0 messages it is delivered FIFO-mixed with.
  const wire =
    brokerPriority === null || brokerPriority === undefined || !Number.isFinite(brokerPriority) ? 0 : brokerPriority;
  const effective = Math.min(Math.max(Math.trunc(wire), 0), maxPriority);
  for (const p of PRIORITIES) {
    if (toRabbitPriority(p, maxPriority) <= effective) return p;
  }
  return MAX_PRIORITY;
}

/**
 * The header carrying a task's own Triage priority on RabbitMQ. The AMQP `priority` alone
 * cannot say it where levels merge (x-max-priority 4 writes 1 and 2 alike), so Triage
 * writes both; the header counts only while it agrees with the wire value (a producer that
 * republished the message at another priority without it wins).
 */
export const TASK_PRIORITY_HEADER = 'triage_priority';

/**
 * A RabbitMQ message's own Triage priority: its `triage_priority` header when that is a
 * priority the wire value could stand for, else the level the wire value maps to (the
 * most urgent priority it may have been, the best a foreign message tells).
 */
export function rabbitTaskPriority(header: unknown, brokerPriority: number | null | undefined, maxPriority = DEFAULT_RABBIT_MAX_PRIORITY): number {
  const level = fromRabbitPriority(brokerPriority, maxPriority);
  if (isPriority(header) && fromRabbitPriority(toRabbitPriority(header, maxPriority), maxPriority) === level) return header;
  return level;
}

/** The distinct Triage levels a RabbitMQ queue with this maximum can hold apart. */
export function rabbitLevels(maxPriority = DEFAULT_RABBIT_MAX_PRIORITY): number[] {
  return distinctSorted(PRIORITIES.map((p) => fromRabbitPriority(toRabbitPriority(p, maxPriority), maxPriority)));
}

// ---------------------------------------------------------------------------
// Redis, kombu layout: one list per priority step, 0 = most urgent; a priority is stored in
// the list of the greatest step <= it (kombu rounds DOWN), FIFO within a list.

export const KOMBU_DEFAULT_STEPS: readonly number[] = [0, 3, 6, 9];
export const KOMBU_DEFAULT_SEP = '\x06\x16';
export const ALL_STEPS: readonly number[] = PRIORITIES;

export const StepsSchema = z
  .array(z.number().int().min(MIN_PRIORITY).max(MAX_PRIORITY))
  .min(1)
  .refine((steps) => steps.every((s, i) => i === 0 || s > steps[i - 1]!), {
    error: 'priority steps must be strictly increasing',
  })
  .refine((steps) => steps[0] === 0, {
    // kombu's bisect would wrap a priority below the first step onto the LAST step.
    error: 'priority steps must start at 0',
  });

export function assertSteps(steps: readonly number[]): readonly number[] {
  const parsed = StepsSchema.safeParse(steps);
  if (!parsed.success) {
    throw new TriageError('INVALID', `invalid priority steps ${JSON.stringify(steps)}: ${parsed.error.issues[0]?.message}`);
  }
  return steps;
}

/** The step (list) a priority lands in: the greatest step <= priority. */
export function stepFor(priority: number, steps: readonly number[] = KOMBU_DEFAULT_STEPS): number {
  assertPriority(priority);
  let chosen = steps[0]!;
  for (const step of steps) {
    if (step <= priority) chosen = step;
    else break;
  }
  return chosen;
}

/**
 * What Python's int() accepts from a str. Stricter than parseInt, which would read "5abc" or
 * "5.5" as 5 where kombu's int() raises ValueError and falls back to priority 0.
 */
const PY_INT_LITERAL = /^\s*[+-]?\d(?:_?\d)*\s*$/;

/**
 * kombu's own reading of a raw `properties.priority` (which may be anything a producer
 * sent): invalid or missing → 0, then clamped to 0..9. Only for interpreting foreign
 * messages the way a kombu worker would; Triage's own inputs are validated, never clamped.
 */
export function kombuEffectivePriority(raw: unknown): number {
  const n =
    typeof raw === 'number'
      ? raw
      : typeof raw === 'boolean'
        ? Number(raw) // Python's bool is an int: int(True) == 1
        : typeof raw === 'string' && PY_INT_LITERAL.test(raw)
          ? Number.parseInt(raw.replace(/_/g, ''), 10)
          : Number.NaN;
  if (!Number.isFinite(n)) return 0;
  return Math.min(Math.max(Math.trunc(n), MIN_PRIORITY), MAX_PRIORITY);
}

/** Priorities that share a list with a more urgent one, e.g. [1,2,4,5,7,8] for kombu's defaults. */
export function collapsedPriorities(steps: readonly number[]): number[] {
  return PRIORITIES.filter((p) => stepFor(p, steps) !== p);
}

// ---------------------------------------------------------------------------
// Lane groups: an ordered list of queues, each covering a contiguous range of priorities,
// consumed strictly in order (all of lane 1 before any of lane 2).

export interface LaneSpec {
  queue: string;
  /** Inclusive range of Triage priorities this lane holds: [from, to]. */
  priorities: readonly [number, number];
}

export function assertLanes(lanes: readonly LaneSpec[]): readonly LaneSpec[] {
  if (lanes.length === 0) throw new TriageError('INVALID', 'a lane group needs at least one lane');
  let expected = MIN_PRIORITY;
  const seen = new Set<string>();
  for (const lane of lanes) {
    // One queue in two lanes would put the same Redis lists in the group twice: counted
    // twice, and at two different levels.
    if (seen.has(lane.queue)) throw new TriageError('INVALID', `lane ${lane.queue} appears more than once`);
    seen.add(lane.queue);
    const [from, to] = lane.priorities;
    if (!isPriority(from) || !isPriority(to) || from > to || from !== expected) {
      throw new TriageError(
        'INVALID',
        `lane ${lane.queue}: priorities must be contiguous ranges covering 0..9 in order, got [${from}, ${to}]`,
      );
    }
    expected = to + 1;
  }
  if (expected !== MAX_PRIORITY + 1) throw new TriageError('INVALID', 'lanes must cover priorities 0..9');
  return lanes;
}

export function laneFor(priority: number, lanes: readonly LaneSpec[]): LaneSpec {
  assertPriority(priority);
  const lane = lanes.find((l) => priority >= l.priorities[0] && priority <= l.priorities[1]);
  if (!lane) throw new TriageError('INVALID', `no lane holds priority ${priority}`);
  return lane;
}

/**
 * The Triage level of a message found in one step list of a lane: its step, kept inside
 * the lane's range (a Celery producer that sent no priority to the low lane lands in
 * step 0 of that lane, which still means "low").
 */
export function laneLevel(lane: LaneSpec, step: number): number {
  return Math.min(Math.max(step, lane.priorities[0]), lane.priorities[1]);
}

export function distinctSorted(values: readonly number[]): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

/**
 * The priorities stored under `level` in a queue, as [most urgent, least urgent], from the
 * queue's `levelOf` (levelOf[p] = the level priority p is stored under). [level, level]
 * when no priority maps there (a level only foreign messages reach).
 */
export function levelRange(levelOf: readonly number[], level: number): [number, number] {
  const members = PRIORITIES.filter((p) => levelOf[p] === level);
  return members.length > 0 ? [members[0]!, members[members.length - 1]!] : [level, level];
}

/** "P0–2" for a level holding 0..2, "P4" for one holding only 4. */
export function formatLevelRange([from, to]: readonly [number, number]): string {
  return from === to ? `P${from}` : `P${from}\u2013${to}`;
}
