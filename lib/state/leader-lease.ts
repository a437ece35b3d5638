import type { Redis } from 'ioredis';

/**
 * A lease in the state Redis that one process holds at a time: what makes a loop (SLO
 * evaluation, standing rules, broker polling) run once per deployment however many replicas
 * run. The holder renews it; a holder that dies stops renewing and the lease lapses within
 * its ttl, so another replica takes over without anyone releasing it.
 */

/** KEYS[1] lease; ARGV holder, ttl (ms) → 1 held by ARGV[1] now (taken or renewed), 0 held by another. */
const ACQUIRE_OR_RENEW_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return 1 end
return 0
`;

/** KEYS[1] lease; ARGV holder → deleted only while ARGV[1] holds it (after a lapse another may). */
const RELEASE_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

export class LeaderLease {
  constructor(
    private readonly redis: Redis,
    readonly key: string,
    /** Who holds it, as shown to operators (a replica's host and pid). */
    readonly holderId: string,
    readonly ttlMs: number,
  ) {}

  /** Takes the lease if free, renews it if ours; false while another holds it. */
  async acquireOrRenew(): Promise<boolean> {
    return (await this.redis.eval(ACQUIRE_OR_RENEW_LUA, 1, this.key, this.holderId, this.ttlMs)) === 1;
  }

  async release(): Promise<void> {
    await this.redis.eval(RELEASE_LUA, 1, this.key, this.holderId);
  }

  /** Who holds the lease and in how many ms it lapses unless renewed; null when free. */
  async holder(): Promise<{ holder: string; lapsesInMs: number } | null> {
    const [holder, ttl] = await Promise.all([this.redis.get(this.key), this.redis.pttl(this.key)]);
    return holder === null ? null : { holder, lapsesInMs: Math.max(0, ttl) };
  }
}

export interface Leadership {
  /** True only while this process's last renewal is recent enough that no one else can hold the lease. */
  readonly isLeader: boolean;
  /** Stops contending and releases the lease if held, so another replica takes over at once. */
  stop(): Promise<void>;
}

/**
 * Contends for `lease` for as long as the process runs: renews every third of the ttl while
 * leading, retries at the same pace while not. A leader whose renewals stop answering (Redis
 * unreachable, a frozen connection) steps down at two thirds of the ttl, before the lease can
 * lapse and be taken, so two replicas never both believe they lead (clocks running at the
 * same rate; the lease has no fencing token, so loops keep their writes idempotent).
 */
export function holdLeadership(lease: LeaderLease, options: { onChange?: (leading: boolean) => void; onError?: (error: unknown) => void } = {}): Leadership {
  const tickMs = Math.max(10, Math.floor(lease.ttlMs / 3));
  const stepDownAfterMs = Math.floor((lease.ttlMs * 2) / 3);
  let leading = false;
  let renewedAt = 0;
  let inFlight = false;
  let stopped = false;

  const set = (next: boolean) => {
    if (next === leading) return;
    leading = next;
    options.onChange?.(next);
  };

  const tick = () => {
    if (stopped) return;
    if (leading && Date.now() - renewedAt >= stepDownAfterMs) set(false);
    if (inFlight) return;
    inFlight = true;
    const startedAt = Date.now();
    lease
      .acquireOrRenew()
      .then((held) => {
        if (stopped) return;
        // Counted from when the call was sent: the lease's ttl started no earlier than that.
        if (held) renewedAt = startedAt;
        set(held && Date.now() - startedAt < stepDownAfterMs);
      })
      .catch((error: unknown) => options.onError?.(error))
      .finally(() => {
        inFlight = false;
      });
  };

  const timer = setInterval(tick, tickMs);
  timer.unref();
  tick();

  return {
    get isLeader() {
      return leading && !stopped;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      const wasLeading = leading;
      set(false);
      if (wasLeading) await lease.release().catch((error: unknown) => options.onError?.(error));
    },
  };
}
