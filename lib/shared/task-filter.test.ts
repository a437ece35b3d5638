import { describe, expect, it } from 'vitest';
import { TaskListQuerySchema, matchesSummary, matchesText, parseMoment } from './task-filter';
import type { TaskSummary } from './task-summary';

const parse = (query: Record<string, string>) => TaskListQuerySchema.safeParse(query);
const filterOf = (query: Record<string, string>) => {
  const result = parse(query);
  if (!result.success) throw new Error(result.error.issues[0]?.message);
  return result.data.filter;
};
const firstIssue = (query: Record<string, string>) => {
  const result = parse(query);
  expect(result.success).toBe(false);
  return result.success ? null : { path: result.error.issues[0]!.path, message: result.error.issues[0]!.message };
};

describe('the task explorer query', () => {
  it('defaults to every execution, 50 a page', () => {
    const result = parse({});
    expect(result.success && result.data).toEqual({
      limit: 50,
      cursor: null,
      filter: { states: null, tasks: null, queues: null, brokers: null, workers: null, priorities: null, since: null, until: null, text: null, idPrefix: null },
    });
  });

  it('splits comma lists, trims and drops empty values', () => {
    const filter = filterOf({ state: 'failed, dead,,failed', queue: 'celery,notifications', broker: 'redis', worker: 'w1,w2', task: 'Report,EMAIL' });
    expect(filter.states).toEqual(['failed', 'dead']);
    expect(filter.queues).toEqual(['celery', 'notifications']);
    expect(filter.brokers).toEqual(['redis']);
    expect(filter.workers).toEqual(['w1', 'w2']);
    // Task names match any part, any case.
    expect(filter.tasks).toEqual(['report', 'email']);
    expect(filterOf({ state: ' , ' }).states).toBeNull();
  });

  it('reads priorities as levels, ranges and bands, in any mix', () => {
    expect(filterOf({ priority: '0,1' }).priorities).toEqual([0, 1]);
    expect(filterOf({ priority: 'high' }).priorities).toEqual([0, 1, 2]);
    expect(filterOf({ priority: 'LOW,3' }).priorities).toEqual([3, 6, 7, 8, 9]);
    expect(filterOf({ priority: '5-3,medium' }).priorities).toEqual([3, 4, 5]);
  });

  it('reads times as ISO, epoch ms or a span back from now', () => {
    const now = Date.UTC(2026, 11, 7, 12, 0, 0);
    expect(parseMoment('2026-12-07T11:00:00Z', now)).toBe(Date.UTC(2026, 11, 7, 11));
    expect(parseMoment('1765000000000', now)).toBe(1765000000000);
    expect(parseMoment('15m', now)).toBe(now - 15 * 60_000);
    expect(parseMoment('2h', now)).toBe(now - 2 * 3_600_000);
    expect(parseMoment('7d', now)).toBe(now - 7 * 86_400_000);
    expect(parseMoment('yesterday', now)).toBeNull();
    expect(parseMoment('2026-13-45', now)).toBeNull();
    const before = Date.now();
    const since = filterOf({ since: '1h' }).since!;
    expect(since).toBeGreaterThanOrEqual(before - 3_600_000);
    expect(since).toBeLessThanOrEqual(Date.now() - 3_600_000);
  });

  it('keeps text and id prefix as given (text lower-cased for a case-blind match)', () => {
    const filter = filterOf({ q: '  Customer@Example.com ', id: '3f2a' });
    expect(filter.text).toBe('customer@example.com');
    expect(filter.idPrefix).toBe('3f2a');
  });

  it('names the field of every refusal', () => {
    expect(firstIssue({ state: 'failed,bogus' })).toMatchObject({ path: ['state'], message: expect.stringMatching(/^state: unknown state "bogus"/) });
    expect(firstIssue({ priority: 'urgent' })).toMatchObject({ path: ['priority'], message: expect.stringMatching(/^priority: "urgent"/) });
    expect(firstIssue({ priority: '10' })).toMatchObject({ path: ['priority'] });
    expect(firstIssue({ since: 'yesterday' })).toMatchObject({ path: ['since'], message: expect.stringMatching(/^since: /) });
    expect(firstIssue({ until: 'soon' })).toMatchObject({ path: ['until'] });
    expect(firstIssue({ since: '1h', until: '2h' })).toMatchObject({ path: ['since'], message: 'since: must not be after until' });
    expect(firstIssue({ limit: '0' })).toMatchObject({ path: ['limit'] });
    expect(firstIssue({ limit: '501' })).toMatchObject({ path: ['limit'] });
    expect(firstIssue({ q: 'x'.repeat(201) })).toMatchObject({ path: ['q'], message: expect.stringMatching(/^q: /) });
    expect(firstIssue({ queue: 'a\u0001b' })).toMatchObject({ path: ['queue'], message: expect.stringMatching(/^queue: /) });
    expect(firstIssue({ state: Array.from({ length: 51 }, () => 'failed').join(',') })).toMatchObject({ path: ['state'] });
    expect(firstIssue({ colour: 'red' })).toMatchObject({ message: expect.stringContaining('colour') });
  });
});

const row: TaskSummary = {
  id: 'abc123',
  task: 'myapp.tasks.generate_report',
  state: 'failed',
  broker: 'redis',
  queue: 'celery',
  priority: 1,
  worker: 'w1',
  receivedAt: null,
  startedAt: null,
  finishedAt: null,
  waitMs: null,
  runtimeMs: null,
  retries: 0,
  error: 'boom',
  eta: null,
  updatedAt: '2026-12-07T12:00:00.000Z',
};

describe('matching a row', () => {
  it('passes a row only when every given filter holds', () => {
    expect(matchesSummary(row, filterOf({}))).toBe(true);
    expect(matchesSummary(row, filterOf({ task: 'REPORT', priority: 'high', state: 'failed,dead', broker: 'redis', queue: 'celery', worker: 'w1', id: 'abc' }))).toBe(true);
    expect(matchesSummary(row, filterOf({ task: 'email' }))).toBe(false);
    expect(matchesSummary(row, filterOf({ priority: 'medium' }))).toBe(false);
    expect(matchesSummary(row, filterOf({ state: 'succeeded' }))).toBe(false);
    expect(matchesSummary(row, filterOf({ id: 'ABC' }))).toBe(false);
    expect(matchesSummary(row, filterOf({ since: '2026-12-07T12:00:00.001Z' }))).toBe(false);
    expect(matchesSummary(row, filterOf({ until: '2026-12-07T12:00:00.000Z' }))).toBe(true);
    // Unknown priority or worker never matches a filter on them.
    expect(matchesSummary({ ...row, priority: null }, filterOf({ priority: '0-9' }))).toBe(false);
    expect(matchesSummary({ ...row, worker: null }, filterOf({ worker: 'w1' }))).toBe(false);
  });

  it('finds text in args, kwargs, result and error, any case', () => {
    const record = { args: ['Customer@Example.com'], kwargs: { n: 3 }, result: { url: 'https://x/y' }, error: undefined };
    expect(matchesText(record, 'customer@example')).toBe(true);
    expect(matchesText(record, '"n":3')).toBe(true);
    expect(matchesText(record, 'x/y')).toBe(true);
    expect(matchesText({ error: 'ValueError: Bad Input' }, 'bad input')).toBe(true);
    expect(matchesText(record, 'nowhere')).toBe(false);
  });
});
