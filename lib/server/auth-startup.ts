import { ConfigError, type TriageConfig } from '@/lib/config';
import type { AuthStore } from '@/lib/state/auth-store';
import { countUsers } from './users';

/** Shorter secrets are guessable offline from one captured cookie (or tried online, for the admin token). */
export const MIN_SESSION_SECRET_LENGTH = 32;
const MIN_ADMIN_TOKEN_LENGTH = 32;

/** Synchronous half of the production check: runs inside runtime(), before any request. */
export function assertSessionSecret(config: TriageConfig): void {
  if (!config.production) return;
  if (!config.sessionSecret || config.sessionSecret.length < MIN_SESSION_SECRET_LENGTH) {
    throw new ConfigError(
      `production mode needs TRIAGE_SESSION_SECRET (or "sessionSecret" in the config file) of at least ${MIN_SESSION_SECRET_LENGTH} characters, ` +
        'the same on every replica; e.g. `openssl rand -base64 48`. (The demo sets TRIAGE_DEMO=1 and generates one.)',
    );
  }
  if (config.adminToken !== null && config.adminToken.length < MIN_ADMIN_TOKEN_LENGTH) {
    throw new ConfigError(
      `production mode needs TRIAGE_ADMIN_TOKEN, when set, to have at least ${MIN_ADMIN_TOKEN_LENGTH} characters; e.g. \`openssl rand -base64 48\``,
    );
  }
}

/**
 * Production refuses to start without a session secret, or with neither a user nor the admin
 * token: a dashboard nobody can log in to or administer, or whose cookies anyone could forge,
 * is a misconfiguration. The admin token alone is enough to create the first user through the
 * API (README, Security).
 */
export async function assertProductionReady(store: AuthStore): Promise<void> {
  const { config } = store;
  if (!config.production) return;
  assertSessionSecret(config);
  if (config.adminToken === null && (await countUsers(store)) === 0) {
    throw new ConfigError(
      'production mode needs at least one user or TRIAGE_ADMIN_TOKEN: add a user with `npm run user -- add <name> --role admin --password-stdin`, ' +
        'list users with pre-hashed passwords under "users" in the config file, or set TRIAGE_ADMIN_TOKEN and create users through the API',
    );
  }
}
