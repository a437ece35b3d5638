/**
 * Every Redis key name kombu (and so Triage) uses is built here, and only here
 * (celery-wire.md §2.1, §2.8). `global_keyprefix` is prepended to all of them.
 */

export interface KeyOptions {
  /** kombu `global_keyprefix`, '' by default. */
  prefix: string;
  /** kombu `sep`, '\x06\x16' by default. */
  sep: string;
}

/** The list holding one priority step of a queue: `q` for step 0, `q<sep><step>` otherwise. */
export function stepKey(opts: KeyOptions, queue: string, step: number): string {
  return opts.prefix + (step === 0 ? queue : `${queue}${opts.sep}${step}`);
}

/** `_kombu.binding.<exchange>`: the set a direct exchange resolves its queues from. */
export function bindingKey(opts: Pick<KeyOptions, 'prefix'>, exchange: string): string {
  return `${opts.prefix}_kombu.binding.${exchange}`;
}

/** Binding member `routing_key SEP pattern SEP queue`; the pattern is empty for direct exchanges. */
export function bindingMember(opts: Pick<KeyOptions, 'sep'>, routingKey: string, queue: string, pattern = ''): string {
  return `${routingKey}${opts.sep}${pattern}${opts.sep}${queue}`;
}

/** The queue a binding member routes to (its last field). */
export function queueFromBindingMember(opts: Pick<KeyOptions, 'sep'>, member: string): string | null {
  const parts = member.split(opts.sep);
  return parts.length >= 3 ? (parts[parts.length - 1] ?? null) : null;
}

/**
 * Splits a list key (prefix already stripped) into queue and step, the way kombu maps a
 * popped key back to its queue (`rsplit(sep, 1)`). A key without a numeric step suffix is
 * step 0 of a queue of the same name.
 */
export function parseStepKey(opts: Pick<KeyOptions, 'sep'>, key: string): { queue: string; step: number } {
  const at = key.lastIndexOf(opts.sep);
  if (at > 0) {
    const suffix = key.slice(at + opts.sep.length);
    if (/^[0-9]$/.test(suffix)) return { queue: key.slice(0, at), step: Number(suffix) };
  }
  return { queue: key, step: 0 };
}

export interface AckKeys {
  unacked: string;
  unackedIndex: string;
  unackedMutex: string;
}

export function ackKeys(prefix: string, names: { unacked: string; unackedIndex: string; unackedMutex: string }): AckKeys {
  return {
    unacked: prefix + names.unacked,
    unackedIndex: prefix + names.unackedIndex,
    unackedMutex: prefix + names.unackedMutex,
  };
}

/** The ack keys of a broker's configuration (its kombu transport options). */
export function configAckKeys(config: { globalKeyprefix: string; unackedKey: string; unackedIndexKey: string; unackedMutexKey: string }): AckKeys {
  return ackKeys(config.globalKeyprefix, { unacked: config.unackedKey, unackedIndex: config.unackedIndexKey, unackedMutex: config.unackedMutexKey });
}

/** Human-readable form of a key with kombu's control-character separator, for the UI. */
export function displayKey(key: string): string {
  return key.replace(/[\x00-\x1f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * Lists that look like queues but are Celery/kombu internals: remote-control reply queues
 * and event receivers. They never hold tasks.
 */
export function isInternalQueueName(name: string): boolean {
  return name.endsWith('.pidbox') || name.startsWith('celeryev') || name.startsWith('_kombu.') || name === 'unacked';
}

/**
 * Why a queue name must not be read or written as a queue, or null when it may: its lists
 * would be Triage's own state (`excludePrefixes`) or kombu's bookkeeping (bindings, the
 * unacked hash, index and mutex, reply and event queues). A drain into such a key turns a
 * counter, a lock or a hash into a list, and what reads it breaks.
 */
export function reservedQueueReason(
  name: string,
  opts: { prefix: string; ackNames: readonly string[]; excludePrefixes: readonly string[] },
): string | null {
  const key = opts.prefix + name;
  const state = opts.excludePrefixes.find((p) => p !== '' && (key.startsWith(p) || name.startsWith(p)));
  if (state !== undefined) return `queue name ${JSON.stringify(name)} is under ${JSON.stringify(state)}, where Triage keeps its own state`;
  if (opts.ackNames.includes(name) || isInternalQueueName(name)) return `queue name ${JSON.stringify(name)} is one of kombu's internal keys, not a queue`;
  return null;
}
