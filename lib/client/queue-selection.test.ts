import { describe, expect, it } from 'vitest';
import { describeTarget, matchOf, selectionBody, targetCount } from './queue-selection';

const none = { priority: '', task: '', q: '', id: '' };

describe('matchOf', () => {
  it('is null without a filter: the whole queue', () => {
    expect(matchOf(none)).toBeNull();
  });

  it('turns task and priority filters into a control match', () => {
    expect(matchOf({ ...none, task: 'myapp.tasks.send_email' })).toEqual({ task: 'myapp.tasks.send_email' });
    expect(matchOf({ ...none, priority: '6-9,0' })).toEqual({ priorities: [0, 6, 7, 8, 9] });
    expect(matchOf({ ...none, task: 't', priority: '3' })).toEqual({ task: 't', priorities: [3] });
  });

  it('has no match form for text or id searches', () => {
    expect(matchOf({ ...none, q: 'customer' })).toBeUndefined();
    expect(matchOf({ ...none, task: 't', id: 'abc' })).toBeUndefined();
  });
});

describe('selectionBody', () => {
  it('sends ids, a match, or nothing for every message', () => {
    expect(selectionBody({ kind: 'ids', ids: ['a', 'b'] })).toEqual({ ids: ['a', 'b'] });
    expect(selectionBody({ kind: 'matching', match: { task: 't' }, count: 3 })).toEqual({ match: { task: 't' } });
    expect(selectionBody({ kind: 'matching', match: null, count: 3 })).toEqual({});
    expect(selectionBody({ kind: 'queue' })).toEqual({});
  });
});

describe('describeTarget', () => {
  it('names what an action will touch', () => {
    expect(describeTarget({ kind: 'ids', ids: ['a'] }, 'q')).toBe('1 selected message');
    expect(describeTarget({ kind: 'matching', match: { task: 't', priorities: [0, 1] }, count: 2 }, 'q')).toBe('all messages matching task t and priority 0, 1');
    expect(describeTarget({ kind: 'matching', match: null, count: 2 }, 'q')).toBe('every waiting message of q');
  });
});

describe('targetCount', () => {
  it('counts what the page knows without asking the server', () => {
    expect(targetCount({ kind: 'ids', ids: ['a', 'b'] })).toBe(2);
    expect(targetCount({ kind: 'matching', match: { task: 't' }, count: 4984 })).toBe(4984);
    expect(targetCount({ kind: 'queue' })).toBeNull();
  });
});
