import { describe, expect, it } from 'vitest';
import { TakeBatcher, type Taken } from './consume-take';

/** A take script that hands out `count` numbered messages per call and records each call's count. */
function numberedScript() {
  const calls: number[] = [];
  let next = 0;
  const script = async (_keys: string[], args: string[]) => {
    const count = Number(args[2]);
    calls.push(count);
    return Array.from({ length: count }, () => [3, `payload-${next}`, `tag-${next++}`]).flat();
  };
  return { calls, script };
}

describe('TakeBatcher', () => {
  it('sends a batch once every working slot asked, split at maxBatch, each slot getting its own message in order', async () => {
    const { calls, script } = numberedScript();
    const batcher = new TakeBatcher(script, () => 4, 2);
    const keys = ['unacked', 'index', 'list'];
    const taken = await Promise.all([0, 1, 2, 3].map(() => batcher.take(keys, ['q'], [])));
    expect(calls).toEqual([2, 2]);
    expect(taken.map((t) => (t as Taken)[1])).toEqual(['payload-0', 'payload-1', 'payload-2', 'payload-3']);
  });

  it('sends what was asked after the current turn when not every slot asks', async () => {
    const { calls, script } = numberedScript();
    const batcher = new TakeBatcher(script, () => 10, 5);
    const keys = ['unacked', 'index', 'list'];
    const taken = await Promise.all([0, 1, 2].map(() => batcher.take(keys, ['q'], [])));
    expect(calls).toEqual([3]);
    expect(taken.map((t) => (t as Taken)[2])).toEqual(['tag-0', 'tag-1', 'tag-2']);
  });
});
