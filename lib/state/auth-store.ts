import type { Redis } from 'ioredis';
import type { TriageConfig } from '@/lib/config';
import { stateKeys, type StateKeys } from './keys';

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
