import type { Redis } from 'ioredis';
import type { ControlOptions, InsertAt } from '../../types';
import type { QueueLayout } from '../layout';
import { scripts } from '../scripts';
import type { MoveBatch } from './envelope';

/** A whole-list relocation (relocate-all.ts, relocate-front.ts): what moves where, and how. */
export interface Relocation {
  client: Redis;
  source: QueueLayout;
  dest: QueueLayout;
  /** The priority every message takes; null: each keeps its own. */
  priority: number | null;
  batchSize: number;
  options: ControlOptions;
  /** Makes `dest` known (its binding) before messages land there; only the first call does anything. */
  declare(): Promise<void>;
}

/** Runs one batch through move-batch.lua out of list `from`, onto the `at` end of its targets (`arrived`: the back, read from the source's head); returns how many moved. */
export async function runMoveBatch(client: Redis, from: string, batch: Pick<MoveBatch, 'targets' | 'args'>, at: InsertAt | 'arrived'): Promise<number> {
  return Number(await scripts(client)['move-batch']([from, ...batch.targets], [at, ...batch.args]));
}
