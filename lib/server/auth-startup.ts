import { ConfigError, type TriageConfig } from '@/lib/config';
import type { AuthStore } from './auth-store';
import { countUsers } from './users';

/** Shorter secrets are guessable offline from one captured cookie. */
export const MIN_SESSION_SECRET_LENGTH = 32;

/** Synchronous half of the production check: runs inside runtime(), before any request. */
export function assertSessionSecret(config: TriageConfig): void {
  if (!config.production) return;
  if (!config.sessionSecret || config.sessionSecret.length < MIN_SESSION_SECRET_LENGTH) {
    throw new ConfigError(
      `production mode needs TRIAGE_SESSION_SECRET (or "sessionSecret" in the config file) of at least ${MIN_SESSION_SECRET_LENGTH} characters, ` +
        'the same on every replica; e.g. `openssl rand -base64 48`. (The demo sets TRIAGE_DEMO=1 and generates one.)',
    );
  }
}

/**
 * Production refuses to start without a session secret and at least one user: a dashboard
 * nobody can log in to, or whose cookies anyone could forge, is a misconfiguration.
 */
export async function assertProductionReady(store: AuthStore): Promise<void> {
  const { config } = store;
  if (!config.production) return;
  assertSessionSecret(config);
  if ((await countUsers(store)) === 0) {
    throw new ConfigError(
      'production mode needs at least one user: add one with `npm run user -- add <name> --role admin --password-stdin`, ' +
        'or list users with pre-hashed passwords under "users" in the config file',
    );
  }
}
