import { describe, expect, it } from 'vitest';
import { ReplaceSlosSchema, SloSchema, classifyWait, isHighSlo, sloMatches, sloScope, worstWaitSec } from './slos';

const queue = (over: Partial<Parameters<typeof worstWaitSec>[0]> = {}) => ({
  // kombu's default steps: 0–2, 3–5, 6–8, 9.
  levels: [0, 3, 6, 9],
  levelOf: [0, 0, 0, 3, 3, 3, 6, 6, 6, 9],
  byPriority: { '0': 2, '3': 0, '6': 5, '9': 0 },
  oldestAgeSecByPriority: { '0': 12, '3': null, '6': 400, '9': null },
  waitTimes: null,
  ...over,
});

describe('SLO definitions', () => {
  it('name a band or priorities, not both and not neither, with a whole positive maxWaitSec', () => {
    expect(SloSchema.safeParse({ id: 'a', broker: 'redis', queue: 'celery', band: 'high', maxWaitSec: 30 }).success).toBe(true);
    expect(SloSchema.safeParse({ id: 'a', broker: 'redis', queue: 'celery', priorities: [0, 1], maxWaitSec: 30 }).success).toBe(true);
    const both = SloSchema.safeParse({ id: 'a', broker: 'redis', queue: 'celery', band: 'high', priorities: [0], maxWaitSec: 30 });
    expect(both.error?.issues[0]?.message).toMatch(/either a band or a list of priorities/);
    expect(SloSchema.safeParse({ id: 'a', broker: 'redis', queue: 'celery', maxWaitSec: 30 }).success).toBe(false);
    expect(SloSchema.safeParse({ id: 'a', broker: 'redis', queue: 'celery', band: 'high', maxWaitSec: 0 }).error?.issues[0]?.message).toMatch(/at least 1 second/);
    expect(SloSchema.safeParse({ id: 'a', broker: 'redis', queue: 'celery', priorities: [10], maxWaitSec: 5 }).success).toBe(false);
    expect(SloSchema.safeParse({ id: 'a b', broker: 'redis', queue: 'celery', band: 'low', maxWaitSec: 5 }).success).toBe(false);
    const dup = ReplaceSlosSchema.safeParse({ slos: [{ id: 'x', broker: 'r', queue: 'q', band: 'low', maxWaitSec: 5 }, { id: 'x', broker: 'r', queue: 'p', band: 'low', maxWaitSec: 5 }] });
    expect(dup.error?.issues[0]?.message).toBe('SLO id "x" is used more than once');
  });

  it('match a queue by name or `*` pattern, never a parking queue by pattern', () => {
    expect(sloMatches({ broker: 'redis', queue: 'celery' }, 'redis', 'celery')).toBe(true);
    expect(sloMatches({ broker: 'redis', queue: 'celery' }, 'rabbitmq', 'celery')).toBe(false);
    expect(sloMatches({ broker: 'redis', queue: 'reports-*' }, 'redis', 'reports-eu')).toBe(true);
    expect(sloMatches({ broker: 'redis', queue: 'reports-*' }, 'redis', 'xreports-eu')).toBe(false);
    expect(sloMatches({ broker: 'redis', queue: 'a.b*' }, 'redis', 'aXb')).toBe(false);
    expect(sloMatches({ broker: 'redis', queue: '*' }, 'redis', 'celery.drained')).toBe(false);
    expect(sloMatches({ broker: 'redis', queue: 'celery.dead' }, 'redis', 'celery.dead')).toBe(true);
  });

  it('say their scope and whether they are a high-band SLO', () => {
    expect(sloScope({ band: 'medium' })).toBe('medium');
    expect(sloScope({ priorities: [2, 0] })).toBe('P0,2');
    expect(isHighSlo({ priorities: [0, 2] })).toBe(true);
    expect(isHighSlo({ priorities: [2, 3] })).toBe(false);
    expect(isHighSlo({ band: 'high' })).toBe(true);
  });
});

describe('SLO evaluation', () => {
  it('is ok below 80%, at risk from 80%, breached above the maximum', () => {
    expect(classifyWait(null, 30)).toBe('ok');
    expect(classifyWait(23.9, 30)).toBe('ok');
    expect(classifyWait(24, 30)).toBe('at_risk');
    expect(classifyWait(30, 30)).toBe('at_risk');
    expect(classifyWait(30.1, 30)).toBe('breached');
  });

  it('takes the oldest waiting task of every level holding one of the priorities', () => {
    expect(worstWaitSec(queue(), [0])).toBe(12);
    // P1 is stored with P0–2: the level's age is all the queue can tell.
    expect(worstWaitSec(queue(), [1])).toBe(12);
    expect(worstWaitSec(queue(), [3, 4, 5])).toBeNull();
    expect(worstWaitSec(queue(), [6, 7, 8, 9])).toBe(400);
  });

  it('takes the recent p95 wait when it is longer than the oldest waiting task', () => {
    const waitTimes = { windowSec: 900, levels: { '0': { p50: 1, p95: 40, count: 10 }, '3': { p50: 1, p95: 2, count: 3 } }, bands: {} };
    expect(worstWaitSec(queue({ waitTimes }), [0, 1, 2])).toBe(40);
    expect(worstWaitSec(queue({ waitTimes }), [3])).toBe(2);
    // An empty level's stale age is not a wait.
    expect(worstWaitSec(queue({ byPriority: { '0': 0 } }), [0])).toBeNull();
  });
});
