import { loadConfig } from '@/lib/config';
import { authStore } from './auth';
import { assertProductionReady } from './auth-startup';
import { runtime } from './runtime';

/** Server start (instrumentation.ts): in production mode, print why and exit when not ready. */
export async function checkStartup(): Promise<void> {
  try {
    if (!loadConfig().production) return;
    const rt = runtime();
    await rt.stateRedis.ping();
    await assertProductionReady(await authStore());
  } catch (error) {
    process.stderr.write(`\nTriage cannot start: ${(error as Error).message}\n\n`);
    process.exit(1);
  }
}
