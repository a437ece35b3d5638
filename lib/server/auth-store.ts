import { unavailableWhenUnreachable } from '@/lib/redis/connection';

/**
 * Runs an auth step against the state Redis; a connection failure becomes UNAVAILABLE (503),
 * so "cannot check your credentials now" is never mistaken for a bug (500) or a refusal (401).
 */
export function withState<T>(run: () => Promise<T>): Promise<T> {
  return unavailableWhenUnreachable("Triage's state Redis", run);
}
