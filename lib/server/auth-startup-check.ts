import { loadConfig } from '@/lib/config';
import { authStore } from './auth';
import { assertProductionReady } from './auth-startup';

/** Server start (instrumentation.ts): in production mode, print why and exit when not ready. */
export async function checkStartup(): Promise<void> {
  try {
    if (!loadConfig().production) return;
    const store = await authStore();
    await store.redis.ping();
    await assertProductionReady(store);
  } catch (error) {
    process.stderr.write(`\nTriage cannot start: ${(error as Error).message}\n\n`);
    process.exit(1);
  }
}
