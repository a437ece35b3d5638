import type { Redis } from 'ioredis';
import type { TriageConfig } from '@/lib/config';
import { TriageError, describeError, isTriageError } from '@/lib/shared/errors';
import { stateKeys, type StateKeys } from '@/lib/state/keys';

/**
 * What users, tokens, sessions and throttling need: the state Redis, its key names and the
 * config (users and tokens from the file). Passed explicitly so the CLI can use the same code
 * without starting broker connections.
 */
export interface AuthStore {
  redis: Redis;
  keys: StateKeys;
  config: TriageConfig;
}

export function makeAuthStore(redis: Redis, config: TriageConfig): AuthStore {
  return { redis, keys: stateKeys(config.statePrefix), config };
}

/**
 * Runs an auth step against the state Redis; a connection failure becomes UNAVAILABLE (503),
 * so "cannot check your credentials now" is never mistaken for a bug (500) or a refusal (401).
 */
export async function withState<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (isTriageError(error)) throw error;
    const message = describeError(error);
    if (/Stream isn't writeable|Connection is closed|ECONNREFUSED|ETIMEDOUT|ECONNRESET|max retries|enableOfflineQueue/i.test(message)) {
      throw new TriageError('UNAVAILABLE', `Triage's state Redis is unreachable: ${message}`);
    }
    throw error;
  }
}
