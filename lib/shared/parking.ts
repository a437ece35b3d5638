/**
 * Parking queues: where a drain parks messages (`<queue>.drained`) and where tasks go after
 * their last retry (`<queue>.dead`). Triage creates them with their source queue's layout.
 */

/** The parking queue a drain uses when the caller names none. */
export function drainedQueueName(queue: string): string {
  return `${queue}.drained`;
}

/** The dead-letter queue of `queue` on both brokers. */
export function deadQueueName(queue: string): string {
  return `${queue}.dead`;
}

/** A dead-letter queue's name (and not the bare suffix). */
export function isDeadQueue(name: string): boolean {
  const suffix = deadQueueName('');
  return name.endsWith(suffix) && name.length > suffix.length;
}

export const PARKING_SUFFIXES = [drainedQueueName(''), deadQueueName('')] as const;

/** The queue a parking queue belongs to, or null when `name` is not one. */
export function parkedFrom(name: string): string | null {
  const suffix = PARKING_SUFFIXES.find((s) => name.endsWith(s) && name.length > s.length);
  return suffix ? name.slice(0, -suffix.length) : null;
}
