import type { Redis } from 'ioredis';
import { TriageError } from '@/lib/shared/errors';

/**
 * Waits until every replica connected to the master `client` writes to holds what this
 * connection wrote so far (Redis WAIT), for writes that must survive a failover: Redis
 * replicates asynchronously, so without it a master that dies right after a write can be
 * replaced by a replica that never saw it. No replica connected: returns at once (there is
 * nothing to wait for). A replica that does not acknowledge within `timeoutMs` fails the
 * caller with UNAVAILABLE before it does anything that would rely on the write.
 */
export async function awaitReplicas(client: Redis, what: string, timeoutMs = 5_000): Promise<void> {
  // ROLE on a master: ['master', offset, [[ip, port, offset], ...]].
  const role = (await client.call('ROLE')) as [string, number, unknown[]?];
  const replicas = role[0] === 'master' ? (role[2]?.length ?? 0) : 0;
  if (replicas === 0) return;
  const acknowledged = Number(await client.call('WAIT', String(replicas), String(timeoutMs)));
  if (acknowledged < replicas) {
    throw new TriageError('UNAVAILABLE', `${what} reached ${acknowledged} of ${replicas} Redis replicas within ${timeoutMs} ms; nothing that depends on it was done, try again`);
  }
}
