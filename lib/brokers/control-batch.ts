import type { ControlOptions } from './types';

/** Messages per broker round when the caller names no `batchSize`. */
const DEFAULT_BATCH = 500;
// A Redis Lua call blocks the server while it runs, and a RabbitMQ batch is held unacked
// until its copies are confirmed: a cap keeps either short whatever the caller asks.
const MAX_BATCH = 5000;

/** The batch size a control operation uses: the caller's `batchSize`, kept within 1..MAX_BATCH. */
export function batchSizeOf(options: ControlOptions): number {
  return Math.max(1, Math.min(options.batchSize ?? DEFAULT_BATCH, MAX_BATCH));
}
