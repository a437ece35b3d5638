import { afterAll, describe, expect, it } from 'vitest';
import { scratchRedis, uniqueName, waitFor } from '@/test/support';
import { LeaderLease, holdLeadership } from './leader-lease';

const scratch = scratchRedis();
afterAll(() => scratch.done());

function leaseKey() {
  const key = uniqueName('lease');
  scratch.names.push(key);
  return key;
}

describe('LeaderLease', () => {
  it('is held by one contender at a time, renewed only by its holder, and named with its lapse', async () => {
    const key = leaseKey();
    const a = new LeaderLease(scratch.client, key, 'replica-a', 2_000);
    const b = new LeaderLease(scratch.client, key, 'replica-b', 2_000);
    const results = await Promise.all([a.acquireOrRenew(), b.acquireOrRenew(), a.acquireOrRenew(), b.acquireOrRenew()]);
    expect(results.filter(Boolean)).toHaveLength(2);
    expect(results[0] === results[2] && results[1] === results[3] && results[0] !== results[1]).toBe(true);
    const winner = results[0] ? 'replica-a' : 'replica-b';
    const holder = await a.holder();
    expect(holder!.holder).toBe(winner);
    expect(holder!.lapsesInMs).toBeGreaterThan(0);
    expect(holder!.lapsesInMs).toBeLessThanOrEqual(2_000);
  });

  it('a released lease is taken at once; a lease whose holder stopped renewing lapses within its ttl', async () => {
    const key = leaseKey();
    const a = new LeaderLease(scratch.client, key, 'a', 1_000);
    const b = new LeaderLease(scratch.client, key, 'b', 1_000);
    expect(await a.acquireOrRenew()).toBe(true);
    expect(await b.acquireOrRenew()).toBe(false);
    await a.release();
    expect(await b.acquireOrRenew()).toBe(true);
    // b "dies": it never renews or releases.
    const since = Date.now();
    await waitFor('the dead holder\'s lease to lapse', () => a.acquireOrRenew(), 5_000, 50);
    expect(Date.now() - since).toBeLessThan(1_500);
    // A release by a former holder does not free the new holder's lease.
    await b.release();
    expect((await a.holder())!.holder).toBe('a');
  });
});

describe('holdLeadership', () => {
  it('exactly one of three contenders leads, and another takes over within the ttl when it is cut off', async () => {
    const key = leaseKey();
    const changes: string[] = [];
    const cutOff = new Set<string>();
    const contenders = ['r1', 'r2', 'r3'].map((id) => {
      const lease = new LeaderLease(scratch.client, key, id, 1_000);
      const renew = lease.acquireOrRenew.bind(lease);
      // A frozen or partitioned replica: its calls never answer.
      lease.acquireOrRenew = () => (cutOff.has(id) ? new Promise<boolean>(() => {}) : renew());
      return { id, leadership: holdLeadership(lease, { onChange: (leading) => changes.push(`${id}:${leading}`) }) };
    });
    const leaders = () => {
      const now = contenders.filter((c) => c.leadership.isLeader);
      expect(now.length).toBeLessThanOrEqual(1);
      return now;
    };
    await waitFor('a leader', () => leaders().length === 1, 5_000, 20);
    const first = leaders()[0]!;
    cutOff.add(first.id);
    const since = Date.now();
    await waitFor('a new leader', () => leaders().length === 1 && leaders()[0] !== first, 5_000, 10);
    expect(Date.now() - since).toBeLessThan(2_000);
    await Promise.all(contenders.map((c) => c.leadership.stop()));
    expect(contenders.filter((c) => c.leadership.isLeader)).toHaveLength(0);
    expect(changes.filter((c) => c.endsWith(':true'))).toHaveLength(2);
    expect(changes).toContain(`${first.id}:false`);
  });

  it('a leader that cannot reach Redis steps down before its lease could have lapsed', async () => {
    const key = leaseKey();
    let reachable = true;
    const lease = new LeaderLease(scratch.client, key, 'cut-off', 900);
    const renew = lease.acquireOrRenew.bind(lease);
    lease.acquireOrRenew = () => (reachable ? renew() : Promise.reject(new Error('connection is closed')));
    const leadership = holdLeadership(lease);
    await waitFor('leading', () => leadership.isLeader, 5_000, 20);
    reachable = false;
    const since = Date.now();
    await waitFor('stepping down', () => !leadership.isLeader, 5_000, 20);
    expect(Date.now() - since).toBeLessThan(900);
    await leadership.stop();
  });
});
