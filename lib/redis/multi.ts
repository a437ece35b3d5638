import type { ChainableCommander } from 'ioredis';
import { TriageError, describeError } from '@/lib/shared/errors';

/**
 * Runs a MULTI (or pipeline) and hands back its replies, throwing the first command error.
 * ioredis resolves `exec()` with `[error, reply]` pairs, so a WRONGTYPE inside a
 * transaction otherwise reads as a missing value (a throttle counter of 0, say).
 */
export async function execOrThrow(chain: ChainableCommander): Promise<unknown[]> {
  const replies = await chain.exec();
  if (!replies) throw new TriageError('UNAVAILABLE', 'the Redis transaction was aborted');
  const failed = replies.find(([error]) => error);
  if (failed) throw new TriageError('UNAVAILABLE', `Redis refused a command: ${describeError(failed[0])}`);
  return replies.map(([, reply]) => reply);
}
