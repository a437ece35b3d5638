/**
 * Dry runs (and the id search's reads) in flight in this process, per queue. A preview that must read a RabbitMQ queue
 * keeps what it read unacked until it ends, out of every other reader's sight: an operation
 * started meanwhile would miss those messages, and so would a second preview (undercount).
 * So a new preview or operation on a queue first stops the previews running there and waits
 * for them to put back what they held; a stopped preview answers what it had counted
 * (`partial`: at least that many). Process-local: previews started by another Triage
 * instance are not seen.
 */

interface Running {
  controller: AbortController;
  done: Promise<void>;
}

const holder = globalThis as unknown as { __triagePreviews?: Map<string, Set<Running>> };
const running = (holder.__triagePreviews ??= new Map());

const keyOf = (queue: { broker: string; queue: string }) => `${queue.broker}\u0000${queue.queue}`;

/** Stops the previews running on `queue` and resolves once they have let go of the queue. */
export async function stopPreviews(queue: { broker: string; queue: string }): Promise<void> {
  const set = running.get(keyOf(queue));
  if (!set) return;
  const current = [...set];
  for (const preview of current) preview.controller.abort();
  await Promise.all(current.map((preview) => preview.done));
}

/**
 * Runs a preview of `queue` with a signal that a later preview or operation there aborts.
 * `yieldToOthers`: a read that must not cut short the previews already running (the id
 * search passing by) but is itself stopped by what comes later.
 */
export async function runPreview<T>(
  queue: { broker: string; queue: string },
  work: (signal: AbortSignal) => Promise<T>,
  options: { yieldToOthers?: boolean } = {},
): Promise<T> {
  if (!options.yieldToOthers) await stopPreviews(queue);
  const key = keyOf(queue);
  const controller = new AbortController();
  let finish!: () => void;
  const entry: Running = { controller, done: new Promise<void>((resolve) => (finish = resolve)) };
  const set = running.get(key) ?? new Set<Running>();
  running.set(key, set.add(entry));
  try {
    return await work(controller.signal);
  } finally {
    set.delete(entry);
    if (set.size === 0 && running.get(key) === set) running.delete(key);
    finish();
  }
}
