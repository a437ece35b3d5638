import { z } from 'zod';

/**
 * Names as every edge accepts them (path segments, bodies, config). Control characters are
 * refused: a NUL or an escape in a task or queue name reaches logs, Redis keys and AMQP
 * frames, and no real Celery name has one. Queue names are measured in UTF-8 bytes, the
 * unit AMQP's short strings and RabbitMQ's 255 limit count in (255 "é" is 510 bytes).
 */

// C0 controls and DEL (kombu's default separator \x06\x16 is among them, which keeps it out of names).
const CONTROL = /[\x00-\x1f\x7f]/;

export const MAX_QUEUE_NAME_BYTES = 255;
// Shared with the browser bundle (the enqueue form validates with these schemas): no Buffer.
const utf8 = new TextEncoder();

export function hasControlCharacters(value: string): boolean {
  return CONTROL.test(value);
}

export const QueueNameSchema = z
  .string()
  .min(1, { error: 'queue names are not empty' })
  .refine((name) => utf8.encode(name).length <= MAX_QUEUE_NAME_BYTES, {
    error: `queue names are at most ${MAX_QUEUE_NAME_BYTES} bytes (UTF-8)`,
  })
  .refine((name) => !hasControlCharacters(name), { error: 'queue names may not contain control characters' });

/** Deepest array/object nesting accepted in task arguments; Python's json module gives up near 1,000. */
export const MAX_JSON_DEPTH = 64;

/** True when `value` nests arrays and objects at most `max` deep. Iterative: any depth is safe to measure. */
export function jsonDepthWithin(value: unknown, max = MAX_JSON_DEPTH): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (item === null || typeof item !== 'object') continue;
    if (depth + 1 > max) return false;
    for (const child of Array.isArray(item) ? item : Object.values(item)) stack.push([child, depth + 1]);
  }
  return true;
}

/** `match.task` of a selection or a rule: part of a task name, matched ignoring case. */
export const TaskNamePartSchema = z
  .string()
  .trim()
  .min(1, { error: 'match.task must not be empty' })
  .max(200)
  .refine((task) => !hasControlCharacters(task), { error: 'task names may not contain control characters' });
