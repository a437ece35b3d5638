import { afterEach, describe, expect, it, vi } from 'vitest';
import { RevokeSet, TERMINATE_GRACE_MS } from './revoke-set';

const future = () => Date.now() + 60_000;

describe('RevokeSet', () => {
  afterEach(() => vi.useRealTimers());

  it('knows revoked ids until they expire or are forgotten', () => {
    const set = new RevokeSet();
    set.apply([{ id: 'a', expiresAt: future() }, { id: 'old', expiresAt: Date.now() - 1 }]);
    expect(set.isRevoked('a')).toBe(true);
    expect(set.isRevoked('old')).toBe(false);
    expect(set.isRevoked('b')).toBe(false);
    set.forget(['a']);
    expect(set.isRevoked('a')).toBe(false);
  });

  it('terminate aborts a running task at once and gives its slot up after the grace period', async () => {
    vi.useFakeTimers();
    const set = new RevokeSet();
    const scope = set.track('a');
    let stopped = false;
    void scope.stopped.then(() => (stopped = true));
    set.apply([{ id: 'a', expiresAt: future(), terminate: 'SIGTERM' }]);
    expect(scope.signal.aborted).toBe(true);
    await vi.advanceTimersByTimeAsync(TERMINATE_GRACE_MS - 1);
    expect(stopped).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(stopped).toBe(true);
  });

  it('SIGKILL gives the slot up at once; a revoke without terminate lets a running task finish', async () => {
    const set = new RevokeSet();
    const plain = set.track('p');
    set.apply([{ id: 'p', expiresAt: future() }]);
    expect(plain.signal.aborted).toBe(false);
    const killed = set.track('k');
    set.apply([{ id: 'k', expiresAt: future(), terminate: 'SIGKILL' }]);
    expect(killed.signal.aborted).toBe(true);
    await killed.stopped;
  });

  it('a signal handed out before the terminate aborts at that moment, with the reason; one read later is aborted already', () => {
    const set = new RevokeSet();
    const early = set.track('early');
    const signal = early.signal;
    let reason: unknown = null;
    signal.addEventListener('abort', () => (reason = signal.reason));
    const late = set.track('late');
    set.apply([{ id: 'early', expiresAt: future(), terminate: 'SIGKILL' }, { id: 'late', expiresAt: future(), terminate: 'SIGKILL' }]);
    expect(early.aborted).toBe(true);
    expect(String(reason)).toBe('Error: terminated (SIGKILL)');
    expect(late.aborted).toBe(true);
    expect(String(late.signal.reason)).toBe('Error: terminated (SIGKILL)');
    expect(late.signal.aborted).toBe(true);
  });

  it('a task terminated before it started is aborted as soon as it is tracked', () => {
    const set = new RevokeSet();
    set.apply([{ id: 'a', expiresAt: future(), terminate: 'SIGTERM' }]);
    const scope = set.track('a');
    expect(scope.signal.aborted).toBe(true);
    scope.release();
  });
});
