import type { TriageConfig } from '@/lib/config';
import { connectStateRedis } from '@/lib/state/connect';
import { makeAuthStore } from '@/lib/state/auth-store';
import { ensureDemoAdmin } from './users';

/**
 * `npm run demo`: makes sure user `admin` (role admin) exists with `password` (from
 * TRIAGE_DEMO_PASSWORD) or a fresh random one, and returns the lines the demo prints.
 */
export async function setUpDemoAdmin(config: TriageConfig, password: string | undefined): Promise<string[]> {
  const redis = connectStateRedis(config.stateRedisUrl, { name: 'triage:demo-setup' });
  try {
    await redis.connect();
    const admin = await ensureDemoAdmin(makeAuthStore(redis, config), password);
    return [
      `  log in as: ${admin.name} / ${admin.generated ? admin.password : '(the password in TRIAGE_DEMO_PASSWORD)'}`,
      ...(admin.generated ? ['  (a new random password each start; set TRIAGE_DEMO_PASSWORD to choose one)'] : []),
    ];
  } catch (error) {
    return [`  could not create the demo user admin: ${(error as Error).message}`];
  } finally {
    redis.disconnect();
  }
}
