import type { ChainableCommander, Redis } from 'ioredis';
import { describeError } from '@/lib/shared/errors';
import { waitSecFor } from '@/lib/shared/wait-times';
import { EventLog, type TaskEventType } from '@/lib/state/events';
import { stateKeys } from '@/lib/state/keys';
import type { TaskEventGroup } from '@/lib/state/task-event-batch';
import { DEFAULT_TASK_TTL_SEC, type TaskRecord } from '@/lib/state/task-store';
import { WaitTimeStore, type WaitSample } from '@/lib/state/wait-times';

/**
 * Writes the worker's task records and task events to the state Redis without a round
 * trip per task: changes made during one event-loop turn (by every slot) go out as one
 * pipeline on the next turn, and a task whose handler finishes within the turn it started
 * writes its record once, with every event. Same keys and shapes as TaskStore.
 *
 * The first write of a record must not drop history another writer left (an earlier
 * attempt, a Celery event): it is a `SET NX GET` (Redis >= 7), which hands back the
 * existing document when there is one; that is merged and written again. Later writes of the same
 * execution overwrite (one worker works on a task id at a time).
 *
 * `sent()` resolves once every change made so far is on the connection: the ack of a
 * task waits for it, so a crash cannot ack a task whose record was never sent.
 * Replies are awaited only to bound memory: with MAX_OUTSTANDING batches unanswered
 * (state Redis slow or down), `sent()` waits, which slows the worker to the store's pace.
 * Write failures are logged, never retried: records are observability.
 */
const MAX_OUTSTANDING = 32;
// A task retried forever must not grow without bound (as TaskStore).
const MAX_HISTORY = 100;

type Phase = 'new' | 'merging' | 'stored';

/**
 * Every record of one flush in one command: a busy worker writes about a hundred per
 * flush, and a pipelined SET each costs a client command object and reply promise per
 * record (one script call cut the recorder's CPU per task from about 17 to 15 µs).
 * KEYS: the records' keys, first writes first. ARGV[1]: TTL seconds; ARGV[2]: how many of
 * KEYS are first writes (SET NX GET: whatever another writer stored comes back, nil
 * otherwise); ARGV[3..]: the documents, parallel to KEYS. Returns the first writes' replies.
 */
const WRITE_COMMAND = 'triageWriteTaskRecords';
const WRITE_LUA = `
local ttl = ARGV[1]
local firsts = tonumber(ARGV[2])
local prior = {}
for i = 1, #KEYS do
  if i <= firsts then
    prior[i] = redis.call('SET', KEYS[i], ARGV[i + 2], 'EX', ttl, 'NX', 'GET')
  else
    redis.call('SET', KEYS[i], ARGV[i + 2], 'EX', ttl)
  end
end
return prior
`;
type WriteRecords = (keys: number, ...args: string[]) => Promise<unknown>;

interface Writes {
  keys: string[];
  docs: string[];
}

/** A task event as the executor reports it; `touch` stamps it with the record's fields. */
export interface EventChange {
  type: TaskEventType;
  [extra: string]: unknown;
}

export interface Recording {
  readonly doc: TaskRecord;
}

interface Entry extends Recording {
  phase: Phase;
  /** Events not yet flushed, grouped by what they share (task, queue, priority, worker). */
  groups: TaskEventGroup[];
}

interface Warn {
  warn(obj: object, msg?: string): void;
}

export class TaskRecorder {
  private readonly keys;
  private readonly events: EventLog;
  private readonly waitTimes: WaitTimeStore;
  /** Waits of the tasks started since the last flush, written with it. */
  private waits: WaitSample[] = [];
  private readonly dirty = new Set<Entry>();
  private scheduled = false;
  /** A flush found MAX_OUTSTANDING batches unanswered; the next reply runs it. */
  private blocked = false;
  private sentWaiters: (() => void)[] = [];
  private outstanding = 0;
  private idleWaiters: (() => void)[] = [];
  private lastWarning = 0;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly logger: Warn,
    private readonly ttlSec = DEFAULT_TASK_TTL_SEC,
  ) {
    this.keys = stateKeys(prefix);
    this.events = new EventLog(redis, prefix);
    this.waitTimes = new WaitTimeStore(redis, prefix);
    if (!(WRITE_COMMAND in redis)) redis.defineCommand(WRITE_COMMAND, { lua: WRITE_LUA });
  }

  /** A record for a task this worker starts on; nothing is written until `touch`. */
  open(doc: TaskRecord): Recording {
    return { doc, phase: 'new', groups: [] } as Entry;
  }

  /** Queues the record's current state and `events` (stamped with the record's fields now). */
  touch(recording: Recording, events: EventChange[]): void {
    const entry = recording as Entry;
    const { doc } = entry;
    for (const source of events) {
      const worker = typeof source.worker === 'string' ? source.worker : null;
      let group = entry.groups[entry.groups.length - 1];
      if (!group || group.worker !== worker || group.queue !== doc.queue || group.priority !== doc.priority || group.broker !== doc.broker) {
        group = { taskId: doc.id, task: doc.task, broker: doc.broker, queue: doc.queue, priority: doc.priority, worker, events: [] };
        entry.groups.push(group);
      }
      let extras: Record<string, unknown> | null = null;
      for (const key in source) {
        if (key === 'type' || (key === 'worker' && worker !== null)) continue;
        (extras ??= {})[key] = source[key];
      }
      group.events.push({ type: source.type, at: doc.updatedAt, extras });
      if (source.type === 'task.started') this.noteWait(doc);
    }
    this.dirty.add(entry);
    this.schedule();
  }

  private noteWait(doc: TaskRecord): void {
    const startedAtMs = Date.parse(doc.updatedAt);
    const waitSec = waitSecFor(startedAtMs, doc.enqueuedAt, doc.eta);
    if (waitSec !== null) this.waits.push({ broker: doc.broker, queue: doc.queue, priority: doc.priority, waitSec, startedAtMs });
  }

  /** Resolves once everything touched so far has been written to the connection. */
  sent(): Promise<void> {
    if (!this.scheduled && this.outstanding < MAX_OUTSTANDING) return Promise.resolve();
    return new Promise((resolve) => this.sentWaiters.push(resolve));
  }

  /** Resolves once every write has been answered (graceful stop). */
  async drain(): Promise<void> {
    while (this.scheduled || this.outstanding > 0 || this.dirty.size > 0) {
      await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    }
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    if (this.outstanding >= MAX_OUTSTANDING) {
      this.blocked = true;
      return;
    }
    this.scheduled = false;
    const pipeline = this.redis.pipeline();
    const firsts: Entry[] = [];
    const firstKeys: string[] = [];
    const firstDocs: string[] = [];
    const laterKeys: string[] = [];
    const laterDocs: string[] = [];
    const groups: TaskEventGroup[] = [];
    for (const entry of this.dirty) {
      for (const group of entry.groups) groups.push(group);
      entry.groups = [];
      // The merge of a first write is still out: the merged document is written after it.
      if (entry.phase === 'merging') continue;
      this.dirty.delete(entry);
      const { doc } = entry;
      if (doc.history.length > MAX_HISTORY) doc.history = doc.history.slice(-MAX_HISTORY);
      if (entry.phase === 'new') {
        entry.phase = 'merging';
        firsts.push(entry);
        firstKeys.push(this.keys.task(doc.id));
        firstDocs.push(JSON.stringify(doc));
      } else {
        laterKeys.push(this.keys.task(doc.id));
        laterDocs.push(JSON.stringify(doc));
      }
    }
    let commands = this.queueWrites(pipeline, { keys: firstKeys, docs: firstDocs }, { keys: laterKeys, docs: laterDocs });
    commands += this.events.addTaskEventsTo(pipeline, groups);
    commands += this.waitTimes.addTo(pipeline, this.waits);
    this.waits = [];
    if (commands > 0) {
      this.outstanding += 1;
      pipeline.exec().then(
        (results) => this.answered(firsts, results),
        (error: unknown) => this.answered(firsts, null, error),
      );
    }
    this.release();
  }

  /**
   * Queues one flush's record writes as the pipeline's first command (`answered` reads the
   * first writes' replies there); returns how many commands that took (0 or 1).
   */
  private queueWrites(pipeline: ChainableCommander, first: Writes, later: Writes): number {
    const ttl = String(this.ttlSec);
    const records = first.keys.length + later.keys.length;
    if (records === 0) return 0;
    // A lone record (a worker at concurrency 1) is cheaper as the plain command than as a script call.
    if (records === 1 && first.keys.length === 1) pipeline.call('SET', first.keys[0]!, first.docs[0]!, 'EX', ttl, 'NX', 'GET');
    else if (records === 1) pipeline.set(later.keys[0]!, later.docs[0]!, 'EX', ttl);
    else {
      const write = (pipeline as unknown as Record<string, WriteRecords>)[WRITE_COMMAND]!.bind(pipeline);
      void write(records, ...first.keys, ...later.keys, ttl, String(first.keys.length), ...first.docs, ...later.docs);
    }
    return 1;
  }

  private answered(firsts: Entry[], results: [Error | null, unknown][] | null, error?: unknown): void {
    this.outstanding -= 1;
    const failure = error ?? results?.find(([e]) => e)?.[0];
    if (failure) this.warn(failure);
    // The record write, when there was one, is the pipeline's first command.
    const written = results?.[0];
    const reply = firsts.length > 0 && written && !written[0] ? written[1] : null;
    const prior = Array.isArray(reply) ? (reply as unknown[]) : [reply];
    firsts.forEach((entry, i) => {
      entry.phase = 'stored';
      // Another writer was first: write the merged record. (A failed write is not retried.)
      const existing = prior[i];
      if (typeof existing === 'string' && merge(entry.doc, existing)) this.dirty.add(entry);
    });
    if (this.blocked) {
      this.blocked = false;
      setImmediate(() => this.flush());
    } else if (this.dirty.size > 0) {
      this.schedule();
    }
    this.release();
  }

  private release(): void {
    if (!this.scheduled && this.outstanding < MAX_OUTSTANDING) {
      const waiters = this.sentWaiters;
      this.sentWaiters = [];
      for (const resolve of waiters) resolve();
    }
    if (!this.scheduled && this.outstanding === 0 && this.dirty.size === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private warn(error: unknown): void {
    const now = Date.now();
    if (now - this.lastWarning < 30_000) return;
    this.lastWarning = now;
    this.logger.warn({ err: describeError(error) }, 'could not record task states');
  }
}

/** Keeps what an earlier writer recorded: its history first, its fields unless ours replace them. */
function merge(doc: TaskRecord, existingJson: string): boolean {
  let prior: TaskRecord;
  try {
    prior = JSON.parse(existingJson) as TaskRecord;
  } catch {
    return true;
  }
  if (typeof prior !== 'object' || prior === null) return true;
  const history = Array.isArray(prior.history) ? [...prior.history, ...doc.history] : doc.history;
  const ours = { ...doc };
  Object.assign(doc, prior, ours, { history: history.slice(-MAX_HISTORY) });
  // Where the task is stored belongs to this delivery: a retry at another priority may sit
  // on a list that holds its priority alone, where the earlier run's level no longer applies.
  if (ours.storedWith === undefined) delete doc.storedWith;
  if (doc.state === 'succeeded') {
    delete doc.error;
    delete doc.traceback;
  }
  return true;
}
