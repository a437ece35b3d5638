/** Sends an ack-only call for `tags` (lua/consume-take.lua with a count of 0). */
export type SendAcks = (tags: string[]) => Promise<unknown>;

interface PendingAck {
  tag: string;
  /** Settles when the ack may reach Redis (the task's record is on the wire). */
  after: Promise<void> | null;
  ready: boolean;
}

const NONE: readonly string[] = [];

/**
 * The acks of one worker slot on Redis. An ack normally rides on one of the slot's next
 * takes, so a task costs one round trip; it may not leave before its `after` (the task's
 * record write) has settled, and the slot does not wait for that: it takes its next
 * message meanwhile, and the ack goes with a later take.
 *
 * A ready ack never waits for a long task, though: when the slot starts (or is running) a
 * task while acks are ready, they go out on their own in the next event-loop turn, unless
 * a take carried them first (a task that finishes within the turn). Until an ack reaches
 * Redis its tag stays in `unacked`, so a crash re-runs that task (at-least-once).
 */
export class SlotAcks {
  private pending: PendingAck[] = [];
  private running = false;
  private lateScheduled = false;

  constructor(
    private readonly send: SendAcks,
    private readonly onLateFailure: (error: unknown) => void,
  ) {}

  add(tag: string, after?: Promise<void>): void {
    const pending: PendingAck = { tag, after: after ?? null, ready: !after };
    // Inline callbacks, not a named closure: this runs once per task.
    if (after) after.then(() => this.markReady(pending), () => this.markReady(pending));
    this.pending.push(pending);
  }

  /**
   * Backpressure: a slot runs at most one task ahead of its records, so a slow or
   * unreachable state store slows the worker to its pace instead of piling up acks.
   * Returns a promise only when the slot has to wait.
   */
  roomForNext(): Promise<void> | undefined {
    let waiting = 0;
    let oldest: PendingAck | null = null;
    for (const p of this.pending) {
      if (p.ready) continue;
      waiting += 1;
      oldest ??= p;
    }
    if (waiting <= 1) return undefined;
    return oldest!.after!.then(
      () => this.roomForNext(),
      () => this.roomForNext(),
    );
  }

  /** The tags ready to ride on a take, handed over at once; `giveBack` them if the take fails. */
  takeReady(): readonly string[] {
    if (this.pending.length === 0) return NONE;
    const ready = this.pending.filter((p) => p.ready);
    if (ready.length === 0) return NONE;
    this.pending = this.pending.filter((p) => !p.ready);
    return ready.map((p) => p.tag);
  }

  giveBack(tags: readonly string[]): void {
    if (tags.length > 0) this.pending = [...tags.map((tag) => ({ tag, after: null, ready: true })), ...this.pending];
  }

  /** The slot runs a task until `finished()`: ready acks must not wait for it. */
  started(): void {
    this.running = true;
    if (this.pending.some((p) => p.ready)) this.scheduleLate();
  }

  finished(): void {
    this.running = false;
  }

  /** Before the slot idles or stops: waits for every record, then sends every ack. */
  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    await Promise.allSettled(this.pending.map((p) => p.after));
    const tags = this.pending.map((p) => p.tag);
    this.pending = [];
    try {
      await this.send(tags);
    } catch (error) {
      this.giveBack(tags);
      throw error;
    }
  }

  /**
   * Forced stop: waits at most `ms` for the records, then hands every pending ack over,
   * split into those that may go out (`ready`) and those whose record never left (`waiting`).
   */
  async handOver(ms: number): Promise<{ ready: string[]; waiting: string[] }> {
    if (this.pending.some((p) => !p.ready)) {
      let timer: NodeJS.Timeout | undefined;
      const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
      await Promise.race([Promise.allSettled(this.pending.map((p) => p.after)), limit]);
      clearTimeout(timer);
    }
    const pending = this.pending;
    this.pending = [];
    return { ready: pending.filter((p) => p.ready).map((p) => p.tag), waiting: pending.filter((p) => !p.ready).map((p) => p.tag) };
  }

  private markReady(pending: PendingAck): void {
    pending.ready = true;
    if (this.running) this.scheduleLate();
  }

  private scheduleLate(): void {
    if (this.lateScheduled) return;
    this.lateScheduled = true;
    setImmediate(() => {
      this.lateScheduled = false;
      const tags = this.takeReady();
      if (tags.length === 0) return;
      this.send([...tags]).catch((error: unknown) => {
        this.giveBack(tags);
        this.onLateFailure(error);
      });
    });
  }
}
